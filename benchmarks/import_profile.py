#!/usr/bin/env python3
"""Where an `nb201 import` of a NATS-Bench simple directory spends its CPU, by stage (issue 18): records the
import of the first COUNT architecture files with `perf record --call-graph dwarf` and assigns every sample to the
first stage on its stack: bzip2 (libbz2), curve compression, SHA-256, unpickling, record parsing, other work of the
parsing threads, or the writing (main) thread. Shares of samples, so load changes them little.
    python3 benchmarks/import_profile.py NB201_BINARY DIR COUNT [--frequency 499]
"""
import argparse, collections, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from import_side_by_side import nats_subset  # noqa: E402

STAGES = [("bzip2 (libbz2 or nb201 CBZip2)", lambda f: f.startswith("BZ2_") or f.startswith("nb_bz2_")),
          ("curve compression", lambda f: "CurveCompressorC6encode" in f),
          ("SHA-256 of the file", lambda f: "SHA256" in f),
          ("unpickling", lambda f: "Unpickler" in f),
          ("record parsing", lambda f: "12RecordParserO" in f)]


def samples(perf_data):
    """(thread id, [frame symbols, leaf first]) per sample of `perf script`."""
    out = subprocess.run(["perf", "script", "-i", perf_data, "-F", "tid,ip,sym", "--no-demangle"],
                         capture_output=True, text=True, check=True).stdout
    current = None
    for line in out.splitlines():
        if not line.strip():
            if current:
                yield current
            current = None
        elif not line.startswith("\t"):
            current = (int(line.split()[0]), [])
        elif current:
            parts = line.split(None, 1)
            current[1].append(parts[1].strip() if len(parts) > 1 else "?")
    if current:
        yield current


def main():
    p = argparse.ArgumentParser()
    p.add_argument("nb201")
    p.add_argument("dir")
    p.add_argument("count", type=int)
    p.add_argument("--frequency", type=int, default=499)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="nb201-import-profile-")
    subset = nats_subset(a.dir, a.count, work)
    data = os.path.join(work, "perf.data")
    subprocess.run(["perf", "record", "-q", "-F", str(a.frequency), "--call-graph", "dwarf,16384", "-o", data,
                    a.nb201, "import", subset, "--db", os.path.join(work, "db.sqlite"), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    all_samples = list(samples(data))
    main_thread = min(tid for tid, _ in all_samples)
    counts = collections.Counter()
    for tid, stack in all_samples:
        if tid == main_thread:
            counts["writing SQLite (main thread)"] += 1
            continue
        counts[next((name for name, test in STAGES if any(test(f) for f in stack)), "other (parsing threads)")] += 1
    print(f"{a.count} files, {len(all_samples)} samples at {a.frequency} Hz")
    for name in [n for n, _ in STAGES] + ["other (parsing threads)", "writing SQLite (main thread)"]:
        print(f"| {name} | {100 * counts[name] / len(all_samples):.1f} % |")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())

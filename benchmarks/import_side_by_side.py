#!/usr/bin/env python3
"""`nb201 import` of a NATS-Bench topology simple directory side by side with the reference Python API reading the
same files (benchmarks/nats_api_traverse.py), interleaved round after round (issue 18).

Each round runs every side once, alternating the order; each side is a fresh process (nb201 into a fresh database
next to DB_DIR), measured from its own rusage: wall seconds, CPU seconds (user + system) and peak RSS. Wall-clock
ratios only mean something on a quiet machine, so before every run the 1-minute load average must be below
--quiet-load (side_by_side.py's rule: it waits, then refuses); --cpu-only drops that wait and reports CPU seconds
and database size only, marking the wall figures as taken under load.

usage: import_side_by_side.py DIR COUNT --nb201 NAME=BINARY [--nb201 NAME=BINARY ...] --python PYTHON
       [--rounds R] [--cpu-only] [--db-dir /tmp] [--raw FILE.jsonl]
DIR holds meta.pickle.pbz2 and NNNNNN.pickle.pbz2 (data/fixtures/generate/make_nats_dir.py); the first COUNT
architecture files are linked into a scratch directory, so every side reads the same COUNT files.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from side_by_side import load1, wait_quiet  # noqa: E402  (one home for the quiet-machine rule)

HERE = os.path.dirname(os.path.abspath(__file__))


def measured(cmd):
    """Runs cmd; returns (wall s, CPU s, peak RSS MB) from the child's own rusage."""
    start = time.time()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.time() - start
    if status != 0:
        sys.exit(f"import_side_by_side: {' '.join(cmd)} failed ({status}): {child.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def nats_subset(directory, count, parent):
    """A scratch directory under parent linking meta.pickle.pbz2 and the first count architecture files."""
    files = sorted(f for f in os.listdir(directory) if len(f) == 18 and f.endswith(".pickle.pbz2") and f[:6].isdigit())[:count]
    if len(files) < count:
        sys.exit(f"{directory} holds {len(files)} architecture files, fewer than {count}")
    subset = tempfile.mkdtemp(prefix="nats-subset-", dir=parent)
    for f in files + ["meta.pickle.pbz2"]:
        os.symlink(os.path.abspath(os.path.join(directory, f)), os.path.join(subset, f))
    return subset


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("count", type=int)
    p.add_argument("--nb201", action="append", required=True, help="NAME=path to an nb201 binary")
    p.add_argument("--python", required=True, help="a python with nats_bench installed")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cpu-only", action="store_true", help="do not wait for a quiet machine; wall figures are not results")
    p.add_argument("--quiet-load", type=float, default=0.5)
    p.add_argument("--wait", type=float, default=900)
    p.add_argument("--db-dir", default=tempfile.gettempdir())
    p.add_argument("--raw")
    a = p.parse_args()

    subset = nats_subset(a.dir, a.count, a.db_dir)
    db = os.path.join(a.db_dir, "import-side-by-side.sqlite")

    def nb201(binary):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        return [binary, "import", subset, "--db", db, "--quiet"]

    sides = [(name, (lambda b: lambda: nb201(b))(binary)) for name, binary in (s.split("=", 1) for s in a.nb201)]
    sides.append(("python nats_bench", lambda: [a.python, os.path.join(HERE, "nats_api_traverse.py"), subset, str(a.count)]))
    rows = {name: [] for name, _ in sides}
    sizes = {}
    raw = open(a.raw, "a") if a.raw else None
    for r in range(a.rounds):
        for name, cmd in (sides if r % 2 == 0 else sides[::-1]):
            load = load1() if a.cpu_only else wait_quiet(a.quiet_load, a.wait)
            wall, cpu, rss = measured(cmd())
            rec = {"side": name, "round": r, "files": a.count, "load1": load, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": rss}
            if name != "python nats_bench":
                sizes[name] = rec["db_bytes"] = os.path.getsize(db)
            rows[name].append(rec)
            if raw:
                raw.write(json.dumps(rec) + "\n")
                raw.flush()
            print(json.dumps(rec), file=sys.stderr)
    shutil.rmtree(subset)

    peer = "python nats_bench"
    med = {n: {k: statistics.median(x[k] for x in v) for k in ("wall_s", "cpu_s", "peak_rss_mb")} for n, v in rows.items()}
    loads = [x["load1"] for v in rows.values() for x in v]
    quiet = "" if not a.cpu_only else " UNDER LOAD: wall figures and wall ratios are not results;"
    print(f"\n{a.count} architecture files, {a.rounds} interleaved rounds (medians), load average before runs "
          f"{min(loads):.2f}-{max(loads):.2f};{quiet} OpenBLAS n/a\n")
    print(f"| side | wall s | CPU s | files per CPU-second | peak RSS MB | database MB | {peer} / side (wall) | {peer} / side (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for n, m in med.items():
        size = f"{sizes[n] / 1e6:.1f}" if n in sizes else "-"
        print(f"| {n} | {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {a.count / m['cpu_s']:.1f} | {m['peak_rss_mb']:.0f} | {size} | "
              f"{med[peer]['wall_s'] / m['wall_s']:.2f}x | {med[peer]['cpu_s'] / m['cpu_s']:.2f}x |")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Builds a full-size NATS-Bench topology "simple" directory from the two real records in ../shared/data/nats-tss:
the real meta.pickle.pbz2, and for every index i a copy of architecture 0 (even i) or 11 (odd i) re-labelled with
index i and meta_archs[i] (the numbers are 0's / 11's; only the labels change). Same protocol (4) and compression.
    python3 benchmarks/make_nats_dir.py OUT_DIR [COUNT]      (COUNT defaults to 15625; writes under /tmp, not git)
"""
import bz2, multiprocessing, os, pickle, shutil, sys

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "nats-tss")

def load(name):
    with bz2.open(os.path.join(SHARED, name), "rb") as f:
        return pickle.load(f)

def relabel(record, index, arch_str):
    for results in record.values():
        results["arch_index"] = index
        results["arch_str"] = arch_str
        for run in results["all_results"].values():
            run["arch_config"]["arch_str"] = arch_str
    return record

def write(args):
    out, index, arch_str = args
    record = relabel(load("000000.pickle.pbz2" if index % 2 == 0 else "000011.pickle.pbz2"), index, arch_str)
    with open(os.path.join(out, "%06d.pickle.pbz2" % index), "wb") as f:
        f.write(bz2.compress(pickle.dumps(record, protocol=4)))

if __name__ == "__main__":
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 15625
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(SHARED, "meta.pickle.pbz2"), out)
    names = load("meta.pickle.pbz2")["meta_archs"]
    with multiprocessing.Pool(2) as pool:
        for n, _ in enumerate(pool.imap_unordered(write, [(out, i, names[i]) for i in range(count)], chunksize=16)):
            if n % 500 == 0:
                print("%d/%d" % (n, count), file=sys.stderr)

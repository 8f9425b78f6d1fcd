#!/usr/bin/env python3
"""Writes the NATS-Bench topology single-file layout (NATS-tss-v1_0-3ffb9.pickle.pbz2: one bzip2-compressed protocol-4
pickle {'meta_archs', 'total_archs', 'arch2infos': {index: OrderedDict{'12', '200'}}, 'evaluated_indexes'})
holding the real records of architectures 0 and 11 from ../shared/data/nats-tss; meta_archs lists indices 0..11.
    python3 benchmarks/make_nats_file.py OUT
"""
import bz2, os, pickle, sys

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "nats-tss")

def load(name):
    with bz2.open(os.path.join(SHARED, name), "rb") as f:
        return pickle.load(f)

names = load("meta.pickle.pbz2")["meta_archs"][:12]
obj = {"meta_archs": names, "total_archs": len(names),
       "arch2infos": {0: load("000000.pickle.pbz2"), 11: load("000011.pickle.pbz2")}, "evaluated_indexes": {0, 11}}
with bz2.open(sys.argv[1], "wb") as f:
    pickle.dump(obj, f, protocol=4)

#!/usr/bin/env python3
"""The peer for benchmarks/import_bench.sh: reads every architecture of a NATS-Bench topology simple directory
through the reference Python API (pip install nats_bench), calling get_more_info for every dataset and both
training budgets, which loads and parses every record file (and forgets it again, to bound memory).
    python benchmarks/nats_api_traverse.py DIR [COUNT]
"""
import sys, time
from nats_bench import create

start = time.time()
api = create(sys.argv[1], "tss", fast_mode=True, verbose=False)
total = 0.0
count = int(sys.argv[2]) if len(sys.argv) > 2 else len(api)
for index in range(count):
    for dataset in ("cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"):
        for hp in ("12", "200"):
            info = api.get_more_info(index, dataset, hp=hp, is_random=False)
            total += info["train-accuracy"]
    # Forget the record again: the API caches every loaded architecture, which would not fit in memory.
    api.arch2infos_dict.pop(index)
    api.evaluated_indexes.discard(index)
print("architectures %d, checksum %.6f, %.1f s" % (count, total, time.time() - start))

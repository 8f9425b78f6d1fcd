"""The Python way users query NAS-Bench-201 tables today: pandas over the same CSV.
Prints JSON lines with the same operations as store-benchmark (see benchmarks/store.sh)."""
import json
import sys
import time

import pandas as pd

csv = sys.argv[1]
queries = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int((len(s) - 1) * p))]


times = []
for _ in range(3):
    t0 = time.perf_counter()
    df = pd.read_csv(csv)
    times.append(time.perf_counter() - t0)
print(json.dumps({"op": "import_table", "median_s": pct(times, 0.5), "min_s": min(times)}))

state = 12345


def next_index():
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
    return (state >> 33) % 15625


# By index: the row is the index (the merged table is in benchmark order).
col = df.columns.get_loc("cifar10_test_hp200_avg")
lat = []
checksum = 0.0
for _ in range(queries):
    i = next_index()
    t0 = time.perf_counter()
    checksum += df.iat[i, col]
    lat.append(time.perf_counter() - t0)
print(json.dumps({"op": "query_by_index", "p50_us": pct(lat, 0.5) * 1e6, "p99_us": pct(lat, 0.99) * 1e6,
                  "n": queries, "checksum": checksum}))

# By arch string through an index built once (the fast pandas idiom).
by_arch = df.set_index("arch_str")
archs = list(df["arch_str"])
lat = []
for _ in range(queries // 10):
    a = archs[next_index()]
    t0 = time.perf_counter()
    checksum += by_arch.at[a, "cifar100_xtest_hp200_avg"]
    lat.append(time.perf_counter() - t0)
print(json.dumps({"op": "query_by_arch_string", "p50_us": pct(lat, 0.5) * 1e6, "p99_us": pct(lat, 0.99) * 1e6,
                  "n": queries // 10}))

lat = []
for _ in range(50):
    t0 = time.perf_counter()
    df.nlargest(10, "cifar100_xtest_hp200_avg")
    lat.append(time.perf_counter() - t0)
print(json.dumps({"op": "top10", "p50_ms": pct(lat, 0.5) * 1e3, "n": 50}))

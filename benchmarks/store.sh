#!/usr/bin/env bash
# Benchmark store, side by side with pandas over the same CSV, in one run.
# usage: benchmarks/store.sh [CSV]     (default: ../shared/data/groundtruth/nb201_groundtruth_merged.csv)
# Also times whole `nb201 query` processes (hyperfine-style: median of 20 runs).
set -euo pipefail
cd "$(dirname "$0")/.."
csv=${1:-../shared/data/groundtruth/nb201_groundtruth_merged.csv}
venv=${NB201_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/nb201-bench-venv}
if ! "$venv/bin/python" -c 'import pandas' 2>/dev/null; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q pandas
fi
swift build -c release --product nb201 >/dev/null
swift build -c release --product store-benchmark >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pandas $("$venv/bin/python" -c 'import pandas; print(pandas.__version__)'), $(swift --version 2>&1 | head -1)"
echo "--- nb201 (library, release)"; .build/release/store-benchmark "$csv"
echo "--- pandas"; "$venv/bin/python" benchmarks/store_peer.py "$csv"
db=$(mktemp -d)/bench.sqlite
.build/release/nb201 import-table --db "$db" "$csv" >/dev/null
runs=()
for _ in $(seq 20); do
  t0=$(date +%s%N)
  .build/release/nb201 query --db "$db" 6111 --dataset cifar10 --split ori-test --hp 200 --seed mean >/dev/null
  runs+=($(( ($(date +%s%N) - t0) / 1000 )))
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 10p)
echo "{\"op\":\"nb201_query_process\",\"median_ms\":$(awk "BEGIN{print $median/1000}")}"
t0=$(date +%s%N)
"$venv/bin/python" -c "import pandas as pd,sys; df=pd.read_csv(sys.argv[1]); print(df.iat[6111, 3])" "$csv" >/dev/null
echo "{\"op\":\"python_pandas_process\",\"ms\":$(( ($(date +%s%N) - t0) / 1000000 ))}"
rm -rf "$(dirname "$db")"

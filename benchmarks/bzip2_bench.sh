#!/bin/sh
# nb201's bzip2 decoder (CBZip2) against libbz2 on the same files, one thread, interleaved file by file, outputs
# compared. Builds the C harness with the compiler and flags SwiftPM uses for CBZip2 (clang -O3 -mssse3).
# Usage: benchmarks/bzip2_bench.sh ROUNDS FILE.bz2...   (e.g. 3 and the first 300 files of a NATS-Bench simple directory)
# Waits for a quiet machine (1-minute load average below 0.5, side_by_side.py's rule) before running.
set -e
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 ROUNDS FILE.bz2..." >&2; exit 2; }
rounds="$1"; shift
out="${TMPDIR:-/tmp}/nb201-bzip2-bench"
clang -O3 -mssse3 -I Sources/CBZip2/include benchmarks/BZip2Benchmark/bzip2_vs_libbz2.c Sources/CBZip2/bzip2_decode.c \
    -lbz2 -lpthread -o "$out"
python3 -c 'import sys; sys.path.insert(0, "benchmarks"); from side_by_side import wait_quiet; print("load before:", wait_quiet(0.5, 900))'
taskset -c 1 "$out" "$rounds" "$@"

#!/usr/bin/env bash
# Supernet step timings side by side: one-shot (K = 1) and K-shot (K = 2, 4, 8) supernet steps and the
# simplex-net step of this package (supernet-benchmark), next to the PyTorch CPU peer's SPOS step
# (torch-peer --mode spos: uniform path sampling, same C, N, batch and threads), runs interleaved so all see
# the same machine load. Prints one JSON line per run, then a median summary (benchmarks/results/supernet.md).
# usage: benchmarks/supernet.sh [rounds=3]   env: THREADS=2, CONFIGS="C,N,batch,steps ...", OPENBLAS_CORETYPE,
#        OPTIONS=1 (K-shot steps with merged-rate item gradients and merged weight decay, issue 14)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${THREADS:-2}
configs=${CONFIGS:-"16,5,64,6 8,1,64,20"}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
swift build -c release --product supernet-benchmark >&2
bench=.build/release/supernet-benchmark
peer=../shared/tools/torch-peer
out=$(mktemp)
for cfg in $configs; do
  IFS=, read -r C N batch steps <<<"$cfg"
  for r in $(seq "$rounds"); do
    for k in 1 2 4 8; do
      $bench --k "$k" --C "$C" --N "$N" --batch "$batch" --steps "$steps" --threads "$threads" --options "${OPTIONS:-0}" | tee -a "$out"
    done
    $peer --mode spos --C "$C" --N "$N" --batch "$batch" --steps "$steps" --threads "$threads" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    key = (r["C"], r["N"], r["batch"], r.get("k", "peer"))
    groups.setdefault(key, []).append(r)
print("| C | N | batch | run | supernet step s (median) | images/s | vs K=1 | simplex step s |")
print("|---|---|---|---|---|---|---|---|")
for (C, N, b, k), rs in sorted(groups.items(), key=lambda kv: (kv[0][:3], str(kv[0][3]))):
    ips = statistics.median(r["images_per_s"] for r in rs)
    step = b / ips
    base = groups.get((C, N, b, 1))
    ratio = step / (b / statistics.median(r["images_per_s"] for r in base)) if base else float("nan")
    simplex = statistics.median(r["simplex_step_s"] for r in rs) if "simplex_step_s" in rs[0] else None
    name = f"K={k}" if k != "peer" else rs[0]["peer"] + " spos"
    print(f"| {C} | {N} | {b} | {name} | {step:.3f} | {ips:.1f} | {ratio:.2f}x | {'' if simplex is None else f'{simplex:.3f}'} |")
PY
rm -f "$out"

#!/usr/bin/env bash
# Scoring every isomorphism class (6,466 paths) with one trained supernet: one process on every core against SHARDS
# single-core evaluation shards on Slurm (nb201 evaluate --shard I/SHARDS, each job on its own database on local scratch,
# copied back with nb201 copy and brought together by nb201 merge), the storage rule of README "On a Slurm cluster".
# Appends both wall times (first command to last estimate; for Slurm, submission to the merged file) to
# benchmarks/results/slurm_shards.md, and checks the merged estimates equal the one-process ones bit for bit.
# Needs a quiet machine (it refuses at a load average of 0.5 or more, the rule of side_by_side.py) and, unless SLURM_CONF
# names a running cluster, root for a local single-node Slurm (scripts/local-slurm). About 3 hours on 2 cores at the
# medium shape; ARCHS=sample:500 checks the setup in about 15 minutes.
# usage: swift build -c release && DATA=/path/cifar-10-batches-bin [SHARDS=$(nproc)] [ARCHS=non-isomorphic] [PRESET=medium] \
#          benchmarks/slurm_shards.sh
# (QUIET_LOAD, RESULTS and NB201 override the load limit, the results file and the program, e.g. for a trial run.)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:?set DATA to the CIFAR-10 binary directory (../shared/tools/prepare-cifar10 DIR writes it)}
SHARDS=${SHARDS:-$(nproc)}
ARCHS=${ARCHS:-non-isomorphic}
PRESET=${PRESET:-medium}
WORK=${WORK:-/tmp/nb201-slurm-shards}
SPLITS=${SPLITS:-$PWD/../shared/data/splits}
TRUTH=../shared/data/groundtruth/nb201_groundtruth_merged.csv
RESULTS=${RESULTS:-benchmarks/results/slurm_shards.md}
QUIET_LOAD=${QUIET_LOAD:-0.5}
NB201=$(realpath "${NB201:-.build/release/nb201}")
DATA=$(cd "$DATA" && pwd)

load=$(python3 benchmarks/side_by_side.py --wait-quiet --wait 0 --quiet-load "$QUIET_LOAD") # refuses (exit 3) at once
rm -rf "$WORK" && mkdir -p "$WORK/jobs" "$WORK/logs" "$WORK/scratch"
COMMON=(--run bench --archs "$ARCHS" --data "$DATA" --splits "$SPLITS" --checkpoints "$WORK/checkpoints" --quiet)

# One supernet of the preset's shape, trained for one epoch: a path's evaluation costs the same after any training.
"$NB201" import-table --db "$WORK/trained.sqlite" "$TRUTH" >/dev/null
"$NB201" train --db "$WORK/trained.sqlite" --dataset cifar10 --preset "$PRESET" --k 1 --epochs 1 --warmup 0 --name bench \
  --data "$DATA" --splits "$SPLITS" --checkpoints "$WORK/checkpoints" --quiet
"$NB201" copy --db "$WORK/trained.sqlite" "$WORK/base.sqlite" >/dev/null

# One process, every core.
"$NB201" copy --db "$WORK/base.sqlite" "$WORK/one.sqlite" >/dev/null
start=$(date +%s.%N)
"$NB201" evaluate --db "$WORK/one.sqlite" --threads "$(nproc)" "${COMMON[@]}"
one=$(echo "$(date +%s.%N) - $start" | bc)

# SHARDS array tasks of one core each, then the merge. (The shards start from the trained run, so the merged run's
# totals count its training once per shard; the wall times here are measured outside.)
if [ -z "${SLURM_CONF:-}" ]; then
  scripts/local-slurm start "$WORK/slurm"
  trap 'scripts/local-slurm stop "$WORK/slurm"' EXIT
  export SLURM_CONF=$WORK/slurm/slurm.conf
fi
cat >"$WORK/evaluate.sbatch" <<SCRIPT
#!/bin/bash
#SBATCH --job-name=nb201-shard
#SBATCH --array=0-$((SHARDS - 1))
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/logs/%A_%a.out
set -euo pipefail
SCRATCH=\$(mktemp -d "\${SLURM_TMPDIR:-\${TMPDIR:-/tmp}}/nb201-shard.XXXXXX")
cp "$WORK/base.sqlite" "\$SCRATCH/job.sqlite"
"$NB201" evaluate --db "\$SCRATCH/job.sqlite" --shard "\$SLURM_ARRAY_TASK_ID/$SHARDS" --threads 1 $(printf '%q ' "${COMMON[@]}")
"$NB201" copy --db "\$SCRATCH/job.sqlite" "$WORK/jobs/shard\$SLURM_ARRAY_TASK_ID.sqlite"
rm -rf "\$SCRATCH"
SCRIPT
start=$(date +%s.%N)
TMPDIR=$WORK/scratch sbatch --wait --quiet "$WORK/evaluate.sbatch"
merge_start=$(date +%s.%N)
"$NB201" merge "$WORK/sharded.sqlite" "$WORK"/jobs/*.sqlite
end=$(date +%s.%N)
sharded=$(echo "$end - $start" | bc)
merge=$(echo "$end - $merge_start" | bc)

same=$(python3 - "$WORK/one.sqlite" "$WORK/sharded.sqlite" <<'PY'
import sqlite3, sys
def estimates(path):
    db = sqlite3.connect(path)
    return {r[:2]: r[2:] for r in db.execute("SELECT e.arch_idx, e.estimator, e.score, e.accuracy, e.loss, e.details "
                                             "FROM estimates e JOIN runs r ON r.id = e.run_id WHERE r.name = 'bench'")}
a, b = estimates(sys.argv[1]), estimates(sys.argv[2])
print(f"{len(a)} estimates, {'bit for bit the same' if a == b else 'DIFFERENT'}")
PY
)
paths=${same%% *}
[ -f "$RESULTS" ] || printf '%s\n' "# Scoring paths with one supernet: one process vs Slurm shards (benchmarks/slurm_shards.sh)" "" \
  "| date | machine | preset shape | paths | one process, $(nproc) threads (s) | shards x 1 core on Slurm, with the merge (s) | merge (s) | speed-up | estimates |" \
  "|---|---|---|---|---|---|---|---|---|" >"$RESULTS"
printf '| %s | %s cores, %s, load %s | %s | %s | %.0f | %.0f (%s shards) | %.1f | %.2fx | %s |\n' "$(date -u +%F)" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$load" "$PRESET" "$paths" "$one" "$sharded" "$SHARDS" "$merge" \
  "$(echo "$one / $sharded" | bc -l)" "${same#*, }" >>"$RESULTS"
tail -1 "$RESULTS"

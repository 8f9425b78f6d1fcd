#!/bin/sh
# Import speed and peak memory of `nb201 import`, side by side with the reference Python API.
#   1. a NATS-Bench topology simple directory (COUNT of the 15,625 files made from the real records by
#      make_nats_dir.py): nb201 import vs nats_bench's get_more_info over every architecture, interleaved rounds on a
#      quiet machine (import_side_by_side.py; CPU_ONLY=1 measures CPU seconds and size under load instead);
#   2. NB201 .pth files in the legacy torch container (make_nb201_pth.py) of growing size: peak RSS must stay flat.
# Usage: benchmarks/import_bench.sh [COUNT]   (environment: NB201_BENCH_DIR, default /tmp/nb201-bench; ROUNDS,
#        default 3; PTH_SIZES, default "1000 4000 12000"; 12000 architectures make a 4.8 GB file, the size of v1.1)
# Needs python3 with numpy; installs nats_bench into a venv under the bench directory.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${NB201_BENCH_DIR:-/tmp/nb201-bench}
COUNT=${1:-15625}
mkdir -p "$WORK"
[ -f "$WORK/nats-simple/$(printf %06d $((COUNT - 1))).pickle.pbz2" ] || python3 "$ROOT/data/fixtures/generate/make_nats_dir.py" "$WORK/nats-simple" "$COUNT"
[ -x "$WORK/venv/bin/python" ] || { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q nats_bench numpy; }
(cd "$ROOT" && swift build -c release --product nb201 >/dev/null)
NB="$ROOT/.build/release/nb201"

measure() { # prints the command's last output line, wall time and peak RSS
    /usr/bin/time -v "$@" 2>"$WORK/time.txt" | tail -1
    grep -E "Elapsed \(wall|Maximum resident|User time" "$WORK/time.txt" | sed 's/^[[:space:]]*/    /'
}

echo "== nb201 import vs Python nats_bench (get_more_info for every architecture, dataset and budget), $COUNT files"
python3 "$ROOT/benchmarks/import_side_by_side.py" "$WORK/nats-simple" "$COUNT" --nb201 "nb201=$NB" \
    --python "$WORK/venv/bin/python" --rounds "${ROUNDS:-3}" --db-dir "$WORK" ${CPU_ONLY:+--cpu-only}
echo "== nb201 import again (every file already imported)"
rm -f "$WORK"/dir.sqlite*
"$NB" import "$WORK/nats-simple" --db "$WORK/dir.sqlite" --quiet >/dev/null
measure "$NB" import "$WORK/nats-simple" --db "$WORK/dir.sqlite" --quiet

for n in ${PTH_SIZES:-1000 4000 12000}; do
    [ -f "$WORK/nb201-$n.pth" ] || python3 "$ROOT/data/fixtures/generate/make_nb201_pth.py" "$WORK/nb201-$n.pth" --count "$n"
    echo "== nb201 import, NB201 .pth legacy container, $n architectures ($(du -m "$WORK/nb201-$n.pth" | cut -f1) MB)"
    rm -f "$WORK"/pth.sqlite*
    measure "$NB" import "$WORK/nb201-$n.pth" --db "$WORK/pth.sqlite" --quiet
done

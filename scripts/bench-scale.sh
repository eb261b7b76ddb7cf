#!/bin/bash
# Proof at size: generate, train and score N subscribers (default 100M: ~19 GB of snapshot) with R
# ranks under a per-rank memory budget, printing each stage's time, passes, rows/s and peak memory
# per rank.   scripts/bench-scale.sh [N=100000000] [RANKS=2] [MEMORY=3G] [DIR=/tmp/cs-scale]
# The 100M run is opt-in (about 20 GB of disk); CI runs the same script at 1M (tests/mpi/test_scale_slow.sh).
set -euo pipefail
N=${1:-100000000}
R=${2:-2}
MEM=${3:-3G}
DIR=${4:-/tmp/cs-scale}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CS=${CHURNSCORE:-$ROOT/build/churnscore}
. "$ROOT/scripts/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/scale-$N.h5"
now() { date +%s.%N; }
rss() { awk '/max RSS/{print $(NF-1)}' "$1"; }
echo "== churnscore at scale: $N subscribers, $R ranks, --memory $MEM per rank, $(nproc) cores"
T0=$(now)
if [ ! -e "$F" ]; then
  /usr/bin/time -f "max RSS %M kB" mpirun --oversubscribe -n "$R" "$CS" generate --out "$F" --subscribers "$N" 2> "$DIR/gen.err" \
    || { cat "$DIR/gen.err"; exit 1; }
  grep -h "wrote" "$DIR/gen.err" | sed 's/^\[ *[0-9.]*s\] /  /'
fi
T1=$(now)
echo "generate: $(echo "$T1 - $T0" | bc) s, snapshot $(du -h "$F" | cut -f1)"
/usr/bin/time -f "max RSS %M kB" mpirun --oversubscribe -n "$R" "$CS" train --in "$F" --model "$DIR/model.h5" \
  --memory "$MEM" --model-kind logit --report "$DIR/report.md" > "$DIR/train.out" 2> "$DIR/train.err" \
  || { cat "$DIR/train.err"; exit 1; }
T2=$(now)
cat "$DIR/train.out"
rm -rf "$DIR/lists"
/usr/bin/time -f "max RSS %M kB" mpirun --oversubscribe -n "$R" "$CS" score --in "$F" --model "$DIR/model.h5" \
  --out "$DIR/scores.h5" --lists "$DIR/lists" --top 1000 --memory "$MEM" > "$DIR/score.out" 2> "$DIR/score.err" \
  || { cat "$DIR/score.err"; exit 1; }
T3=$(now)
cat "$DIR/score.out"
TT=$(echo "$T2 - $T1" | bc); TS=$(echo "$T3 - $T2" | bc)
echo
printf "%-10s %10s %14s %22s\n" stage seconds rows/s "peak RSS (largest rank)"
printf "%-10s %10.1f %14.0f %19s kB\n" train "$TT" "$(echo "$N / $TT" | bc)" "$(rss "$DIR/train.err")"
printf "%-10s %10.1f %14.0f %19s kB\n" score "$TS" "$(echo "$N / $TS" | bc)" "$(rss "$DIR/score.err")"
printf "%-10s %10.1f\n" "train+score" "$(echo "$TT + $TS" | bc)"

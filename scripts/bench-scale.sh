#!/bin/bash
# Proof at size: generate, train and score N subscribers (default 100M: ~19 GB of snapshot) with R
# ranks under a per-rank memory budget, printing each stage's time, passes, rows/s and peak memory
# per rank.   scripts/bench-scale.sh [N=100000000] [RANKS=2] [MEMORY=3G] [DIR=/tmp/cs-scale] [csv]
# With csv, the month as an operator runs it from the warehouse's extract: the generated snapshot is
# written as a CSV extract (build/snap2csv, 50 columns) and deleted, then import -> train (defaults:
# the logistic model against the trees) -> score with lists -> analyze with the scores (report.md),
# each step's time, rows/s and peak memory printed (about 40 GB of disk at 100M: the extract, the
# imported snapshot, the scores).
# The 100M runs are opt-in (about 20 GB of disk); CI runs both modes at 1M (tests/mpi/test_scale_slow.sh).
set -euo pipefail
N=${1:-100000000}
R=${2:-2}
MEM=${3:-3G}
DIR=${4:-/tmp/cs-scale}
MODE=${5:-snapshot}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CS=${CHURNSCORE:-$ROOT/build/churnscore}
S2C=${SNAP2CSV:-$(dirname "$CS")/snap2csv}
. "$ROOT/scripts/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/scale-$N.h5"
now() { date +%s.%N; }
rss() { awk '/max RSS/{print $(NF-1)}' "$1"; }
echo "== churnscore at scale: $N subscribers, $R ranks, --memory $MEM per rank, $(nproc) cores"
T0=$(now)
C="$DIR/extract-$N.csv"
if [ "$MODE" = csv ] && [ -s "$C" ]; then
  echo "extract: $C exists, reused (delete it to write it again)"
elif [ ! -e "$F" ]; then
  /usr/bin/time -f "max RSS %M kB" mpirun --oversubscribe -n "$R" "$CS" generate --out "$F" --subscribers "$N" 2> "$DIR/gen.err" \
    || { cat "$DIR/gen.err"; exit 1; }
  grep -h "wrote" "$DIR/gen.err" | sed 's/^\[ *[0-9.]*s\] /  /'
fi
T1=$(now)
[ -e "$F" ] && echo "generate: $(echo "$T1 - $T0" | bc) s, snapshot $(du -h "$F" | cut -f1)"
if [ "$MODE" = csv ]; then
  [ -x "$S2C" ] || { echo "bench-scale: $S2C not built (cmake --build build)" >&2; exit 2; }
  S="$DIR/imported-$N.h5"
  if [ -e "$F" ]; then
    "$S2C" "$F" "$C.tmp" && mv "$C.tmp" "$C"
    rm -f "$F"   # the operator's month starts from the extract alone (and the disk holds one copy)
  fi
  T1=$(now)
  echo "extract: $(du -h "$C" | cut -f1), $N rows x 50 columns, written in $(echo "$T1 - $T0" | bc) s (generate + snap2csv)"
  step() { # step NAME OUTFILE COMMAND...: runs it on R ranks, records seconds and peak RSS
    local name=$1 out=$2; shift 2; local t0; t0=$(now)
    /usr/bin/time -f "max RSS %M kB" mpirun --oversubscribe -n "$R" "$CS" "$@" > "$DIR/$name.out" 2> "$DIR/$name.err" \
      || { cat "$DIR/$name.err"; exit 1; }
    local t1; t1=$(now)
    ROWS+=("$(printf "%-10s %10.1f %14.0f %19s kB" "$name" "$(echo "$t1 - $t0" | bc)" "$(echo "$N / ($t1 - $t0)" | bc)" "$(rss "$DIR/$name.err")")")
    TOTAL=$(echo "${TOTAL:-0} + $t1 - $t0" | bc)
  }
  ROWS=()
  rm -rf "$DIR/lists" "$DIR/analyses"
  step import "$S" import --csv "$C" --out "$S" --id id --region region --brand brand --label churned \
    --positive yes --month 2026-10 --memory "$MEM"
  grep -h "pass 1\|pass 2\|wrote" "$DIR/import.err" | sed 's/^\[ *[0-9.]*s\] /  /'
  step train "$DIR/model.h5" train --in "$S" --model "$DIR/model.h5" --memory "$MEM" --report "$DIR/report.md"
  cat "$DIR/train.out"
  step score "$DIR/scores.h5" score --in "$S" --model "$DIR/model.h5" --out "$DIR/scores.h5" --lists "$DIR/lists" \
    --memory "$MEM"
  cat "$DIR/score.out"
  step analyze "$DIR/analyses" analyze --in "$S" --scores "$DIR/scores.h5" --out "$DIR/analyses" --memory "$MEM"
  echo "lists: $(find "$DIR/lists" -name '*.csv' | wc -l) files, $(cat "$DIR/lists"/*-retention.csv | wc -l) retention rows (headers included); analyses: $(ls "$DIR/analyses" | wc -l) files"
  echo
  printf "%-10s %10s %14s %22s\n" step seconds rows/s "peak RSS (largest rank)"
  printf "%s\n" "${ROWS[@]}"
  printf "%-10s %10.1f   (the month from the CSV extract: import + train + score + analyze, %s ranks, --memory %s)\n" total "$TOTAL" "$R" "$MEM"
  exit 0
fi
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

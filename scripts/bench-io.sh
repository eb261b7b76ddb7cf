#!/bin/bash
# Generation and read throughput: generates N subscribers (default 10M) with 1 and 2 ranks and reads
# them back (inspect: every dataset, every row, per-feature statistics) with 1 and 2 ranks.
#   scripts/bench-io.sh [N] [DIR]
# Prints rows/s and MB/s for each. The page cache is warm for the reads (the file was just written).
set -euo pipefail
N=${1:-10000000}
DIR=${2:-/tmp/cs-bench}
CS=${CHURNSCORE:-$(dirname "$0")/../build/churnscore}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/bench-io.h5"
now() { date +%s.%N; }
printf "%-28s %6s %10s %14s %10s\n" "step" "ranks" "seconds" "rows/s" "MB/s"
for R in 1 2; do
  t0=$(now)
  mpirun --oversubscribe -n $R "$CS" generate --out "$F" --subscribers "$N" --quiet
  t1=$(now)
  MB=$(du -m "$F" | cut -f1)
  awk -v s="$(echo "$t1 - $t0" | bc)" -v n="$N" -v mb="$MB" -v r=$R \
    'BEGIN{printf "%-28s %6d %10.2f %14.0f %10.0f\n", "generate", r, s, n/s, mb/s}'
done
cat "$F" > /dev/null
for R in 1 2; do
  t0=$(now)
  mpirun --oversubscribe -n $R "$CS" inspect "$F" --quiet > /dev/null
  t1=$(now)
  awk -v s="$(echo "$t1 - $t0" | bc)" -v n="$N" -v mb="$MB" -v r=$R \
    'BEGIN{printf "%-28s %6d %10.2f %14.0f %10.0f\n", "read (inspect, all rows)", r, s, n/s, mb/s}'
done
t0=$(now); cat "$F" > /dev/null; t1=$(now)
awk -v s="$(echo "$t1 - $t0" | bc)" -v n="$N" -v mb="$MB" \
  'BEGIN{printf "%-28s %6s %10.2f %14.0f %10.0f\n", "cat (page cache floor)", "-", s, n/s, mb/s}'
echo "file: $F ($MB MB, $N subscribers)"

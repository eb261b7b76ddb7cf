#!/bin/sh
# Analyses benchmark: scripts/bench-analyze.sh [SUBSCRIBERS] [RANKS...]
# Generates two months of a synthetic operator with areas and three competitors (default 10,000,000
# subscribers), a model (trained on a 500,000-subscriber month of the same operator: the columns are
# the same), scores the second month, then for each rank count (default 2) times, alternately and
# CS_BENCH_REPEAT times (default 2; the best of each is printed, the machine may be shared):
#   - score:    the whole `score` run of the second month, and its pass (read + compute + write)
#   - analyze:  `analyze` of the second month alone (one pass over one file)
#   - +scores:  with --scores (the scores read beside the snapshot)
#   - +prev:    with --previous and --scores (a second file and the id join)
# wall seconds of each command (MPI start-up included). On 1 rank also the peak memory of analyze
# (singleton, /usr/bin/time), at N and at N/10: flat without --previous; with it the join's share of
# last month's ids (about 32 bytes a subscriber per rank) comes on top. Files go to
# $CS_BENCH_DIR (default /tmp/cs-bench-analyze), removed at the end unless CS_BENCH_KEEP=1.
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000000}
shift $(( $# > 0 ? 1 : 0 ))
RANKS=${*:-2}
REP=${CS_BENCH_REPEAT:-2}
B=${CS_BUILD:-build}/churnscore
D=${CS_BENCH_DIR:-/tmp/cs-bench-analyze}
[ -x "$B" ] || { cmake -S . -B "${CS_BUILD:-build}" -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build "${CS_BUILD:-build}" -j "$(nproc)" > /dev/null; }
. scripts/mpi-env.sh
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
G="--areas --competitors 3 --quiet"
mkdir -p "$D"
echo "== $N subscribers a month in $D"
if [ ! -e "$D/nov.h5" ] || [ "$(cat "$D/n" 2>/dev/null)" != "$N" ]; then
  rm -f "$D"/*.h5
  mpirun -n 2 "$B" generate --out "$D/oct.h5" --subscribers "$N" $G
  mpirun -n 2 "$B" generate --follows "$D/oct.h5" --out "$D/nov.h5" --quiet
  mpirun -n 2 "$B" generate --out "$D/small.h5" --subscribers 500000 --seed 9 $G
  mpirun -n 2 "$B" train --in "$D/small.h5" --model "$D/model.h5" --quiet > /dev/null
  echo "$N" > "$D/n"
fi
now() { date +%s.%N; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "" || a + 0 < b + 0) print a; else print b }'; }
printf "%-6s %9s %9s %9s %9s %9s\n" ranks score s.pass analyze +scores +prev
for R in $RANKS; do
  bs="" bp="" ba="" bsc="" bpr=""
  i=0
  while [ $i -lt "$REP" ]; do
    rm -rf "$D/lists" "$D/scores.h5"
    t0=$(now)
    t=$(mpirun -n "$R" "$B" score --in "$D/nov.h5" --model "$D/model.h5" --out "$D/scores.h5" \
        --lists "$D/lists" --top 1000 --quiet | sed -n 's/^timing_seconds //p')
    t1=$(now)
    set -- $t
    bs=$(best "$(echo "$t1 - $t0" | bc)" "$bs"); bp=$(best "$4" "$bp")
    for v in a sc pr; do
      case $v in a) x="" ;; sc) x="--scores $D/scores.h5" ;; pr) x="--scores $D/scores.h5 --previous $D/oct.h5" ;; esac
      t0=$(now)
      mpirun -n "$R" "$B" analyze --in "$D/nov.h5" $x --out "$D/reports" --quiet
      t1=$(now)
      e=$(echo "$t1 - $t0" | bc)
      case $v in a) ba=$(best "$e" "$ba") ;; sc) bsc=$(best "$e" "$bsc") ;; pr) bpr=$(best "$e" "$bpr") ;; esac
    done
    i=$((i + 1))
  done
  printf "%-6s %9.2f %9.2f %9.2f %9.2f %9.2f\n" "$R" "$bs" "$bp" "$ba" "$bsc" "$bpr"
done
echo "(wall seconds, best of $REP; s.pass = score's pass, max over ranks)"
# peak memory of one rank: analyze with every input, at N and at a tenth of N
mpirun -n 1 "$B" generate --out "$D/tenth.h5" --subscribers $((N / 10)) $G
mpirun -n 1 "$B" generate --follows "$D/tenth.h5" --out "$D/tenth2.h5" --quiet
for f in tenth2 nov; do
  p=$([ $f = nov ] && echo oct || echo tenth)
  kb=$(/usr/bin/time -f %M "$B" analyze --in "$D/$f.h5" --out "$D/r-$f" --quiet 2>&1 | tail -1)
  kp=$(/usr/bin/time -f %M "$B" analyze --in "$D/$f.h5" --previous "$D/$p.h5" --out "$D/r-$f" --quiet 2>&1 | tail -1)
  echo "peak memory, 1 rank, $f.h5 ($(( $("$B" inspect "$D/$f.h5" --quiet | sed -n 's/^subscribers: \([0-9]*\).*/\1/p') )) subscribers): analyze $((kb / 1024)) MB, with --previous (the join) $((kp / 1024)) MB"
done
[ "${CS_BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"

#!/bin/sh
# Month-over-month benchmark (issue 15): scripts/bench-mom.sh [SUBSCRIBERS] [RANKS...]
# Generates two months of one synthetic operator (default 1,000,000 subscribers), trains on the first,
# scores it, then for each rank count (default 1 and 2) times the second month's `score` without and
# with --previous-scores (the first month's scores): the total and the lists stage, which holds the
# id join with last month's scores and the writing of /subscribers/months_on_list. Files go to
# $CS_BENCH_DIR (default /tmp/cs-bench-mom), removed at the end unless CS_BENCH_KEEP=1.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
shift $(( $# > 0 ? 1 : 0 ))
RANKS=${*:-1 2}
B=${CS_BUILD:-build}/churnscore
D=${CS_BENCH_DIR:-/tmp/cs-bench-mom}
[ -x "$B" ] || { cmake -S . -B "${CS_BUILD:-build}" -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build "${CS_BUILD:-build}" -j "$(nproc)" > /dev/null; }
. scripts/mpi-env.sh
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_mpi_yield_when_idle=1
mkdir -p "$D"
echo "== $N subscribers in $D"
mpirun -n 2 "$B" generate --out "$D/m1.h5" --subscribers "$N" --month 2026-10 --quiet
mpirun -n 2 "$B" generate --follows "$D/m1.h5" --out "$D/m2.h5" --quiet
mpirun -n 2 "$B" train --in "$D/m1.h5" --model "$D/model.h5" --model-kind logit --quiet > /dev/null
rm -rf "$D/L1" "$D/s1.h5"
mpirun -n 2 "$B" score --in "$D/m1.h5" --model "$D/model.h5" --out "$D/s1.h5" --lists "$D/L1" --quiet > /dev/null
printf "%-6s %-18s %9s %9s %9s\n" ranks run total lists listed
for R in $RANKS; do
  for how in plain previous; do
    rm -rf "$D/L2" "$D/s2.h5"
    if [ "$how" = previous ]; then set -- --previous-scores "$D/s1.h5"; else set --; fi
    t=$(mpirun -n "$R" "$B" score --in "$D/m2.h5" --model "$D/model.h5" --out "$D/s2.h5" --lists "$D/L2" \
        --quiet "$@" | sed -n 's/^timing_seconds //p')
    listed=$(tail -1 "$D/L2/summary.csv" | cut -d, -f17)
    set -- $t
    printf "%-6s %-18s %9s %9s %9s\n" "$R" "$how" "$2" "${14}" "$listed"
  done
done
[ "${CS_BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"

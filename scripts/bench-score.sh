#!/bin/sh
# Scoring benchmark: scripts/bench-score.sh [SUBSCRIBERS] [RANKS...]
# Generates a synthetic operator (default 10,000,000 subscribers), trains a model on it, then for each
# rank count (default 1 and 2) times
#   - read:  `score --read-only`, which reads exactly the datasets scoring reads, the same way;
#   - score: the whole `score` run, split into its pass (read / compute / write of SCORES.h5, the
#            max over ranks), the ARPU tiers, the lists (merge + CSV + summaries) and the validation.
# The read runs first, so both see the same (warm) page cache. Files go to $CS_BENCH_DIR (default
# /tmp/cs-bench-score), which is removed at the end unless CS_BENCH_KEEP=1.
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000000}
shift $(( $# > 0 ? 1 : 0 ))
RANKS=${*:-1 2}
B=${CS_BUILD:-build}/churnscore
D=${CS_BENCH_DIR:-/tmp/cs-bench-score}
[ -x "$B" ] || { cmake -S . -B "${CS_BUILD:-build}" -DCMAKE_BUILD_TYPE=Release > /dev/null && cmake --build "${CS_BUILD:-build}" -j "$(nproc)" > /dev/null; }
. scripts/mpi-env.sh
export OMPI_MCA_rmaps_base_oversubscribe=1
# ranks waiting in MPI yield the core instead of spinning (rank 0 works alone on merges and metrics)
export OMPI_MCA_mpi_yield_when_idle=1
mkdir -p "$D"
echo "== $N subscribers in $D"
if [ ! -e "$D/snap.h5" ] || [ "$(cat "$D/n" 2>/dev/null)" != "$N" ]; then
  mpirun -n 2 "$B" generate --out "$D/snap.h5" --subscribers "$N" --quiet
  echo "$N" > "$D/n"
  rm -f "$D/model.h5"
fi
[ -e "$D/model.h5" ] || mpirun -n 2 "$B" train --in "$D/snap.h5" --model "$D/model.h5" --quiet > /dev/null
"$B" inspect "$D/model.h5" --json | grep '"model_kind"\|"inputs"\|"factors"' || true
printf "%-6s %9s %9s %9s %9s %9s %9s %9s %9s %11s\n" ranks read score pass p.read p.compute p.write tiers lists validation
for R in $RANKS; do
  rd=$(mpirun -n "$R" "$B" score --in "$D/snap.h5" --read-only --quiet | sed -n 's/^read_seconds //p')
  rm -rf "$D/lists" "$D/scores.h5"
  t=$(mpirun -n "$R" "$B" score --in "$D/snap.h5" --model "$D/model.h5" --out "$D/scores.h5" \
      --lists "$D/lists" --quiet | sed -n 's/^timing_seconds //p')
  # "total T pass P read R compute C write W tiers X lists L validation V"
  set -- $t
  printf "%-6s %9s %9s %9s %9s %9s %9s %9s %9s %11s\n" "$R" "$rd" "$2" "$4" "$6" "$8" "${10}" "${12}" "${14}" "${16}"
done
echo "(seconds; read = score --read-only; p.* = the scoring pass, max over ranks)"
[ "${CS_BENCH_KEEP:-0}" = 1 ] || rm -rf "$D"

#!/bin/bash
# What segmenting adds to train: the same training run on N generated subscribers (default 10M) with
# --segments none and with the default (--segments auto), R ranks (default 2); prints each run's
# total, its segments stage and its passes over the snapshot (the summary's lines).
#   scripts/bench-segments.sh [N] [DIR] [R] [extra train options...]
set -euo pipefail
N=${1:-10000000}
DIR=${2:-/tmp/cs-bench}
R=${3:-2}
shift $(( $# > 3 ? 3 : $# )) || true
CS=${CHURNSCORE:-$(dirname "$0")/../build/churnscore}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/bench-train-$N.h5"   # the snapshot of bench-train.sh, shared
[ -e "$F" ] || mpirun --oversubscribe -n 2 "$CS" generate --out "$F" --subscribers "$N" --quiet
cat "$F" > /dev/null   # warm page cache: we measure the compute, not the disk
for S in none auto; do
  echo "== train --segments $S, $R rank(s), $N subscribers $*"
  /usr/bin/time -f "wall %e s, max RSS of one rank %M kB" \
    mpirun --oversubscribe -n "$R" "$CS" train --in "$F" --model "$DIR/bench-seg-$S.h5" --segments "$S" "$@" 2>&1 \
    | grep -E "segments |passes|time  |wall|train: [0-9]+ segments"
done

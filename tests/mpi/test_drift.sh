#!/bin/bash
# Drift: the PSI of the score and of every model input between the training month and the scored
# month is written to the lists (drift.csv), is the same for any rank count, stays small on the
# training month itself and flags a shifted month (PSI > 0.25) with a clear warning.
source "$(dirname "$0")/common.sh"
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 120000 --drift 0.6 --quiet || fail "generate"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate --follows"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/model.h5" --model-kind logit --inputs factors --quiet > /dev/null || fail "train"
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
# without a holdout the model still carries a drift reference and a warning cut-off (from the
# training rows), and reports no holdout metrics
run 2 "$CS" train --in "$T/m1.h5" --model "$T/m0.h5" --model-kind logit --holdout 0 > "$T/t0.txt" 2>&1 || fail "train --holdout 0"
grep -q "holdout            none" "$T/t0.txt" || { cat "$T/t0.txt"; fail "no-holdout summary"; }
run 1 "$CS" inspect --json "$T/m0.h5" | python3 -c "
import json, sys
j = json.load(sys.stdin)
assert j['holdout']['auc'] is None, j['holdout']
assert 0 < j['warn_cutoff'] < 0.5, j['warn_cutoff']
" || fail "--holdout 0 model: metrics or cut-off"
run 2 "$CS" score --in "$T/m2.h5" --model "$T/m0.h5" --out "$T/s0.h5" --lists "$T/l0" --quiet > /dev/null || fail "score with the no-holdout model"
[ -s "$T/l0/drift.csv" ] || fail "no drift.csv with a --holdout 0 model"
echo "drift: flagged, rank-independent"

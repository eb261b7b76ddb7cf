#!/bin/bash
# generate writes identical datasets for 1, 2, 3 and 4 ranks (N not a multiple of anything, and N
# smaller than the ranks), the churn types and their true probabilities included; inspect reports
# the same numbers; --follows continues the operator.
source "$(dirname "$0")/common.sh"
DS="/subscribers/id /subscribers/region /subscribers/brand /subscribers/features /subscribers/churned /truth/churn_prob /truth/leaver_type /subscribers/churn_type /truth/p_voluntary /truth/p_involuntary /regions/name /subscribers/feature_names"
for N in 20011 3; do
  for n in 1 2 3 4; do
    run $n "$CS" generate --out "$T/g$n.h5" --subscribers $N --seed 7 --block-rows 5000 --quiet \
      || fail "generate with $n ranks"
    [ -e "$T/g$n.h5.tmp" ] && fail "temporary file left behind"
    for d in $DS; do echo "$d $(dsum "$T/g$n.h5" "$d")"; done > "$T/sum$n.txt"
    run $n "$CS" inspect "$T/g$n.h5" --json | grep -v '"file"' > "$T/i$n.json" || fail "inspect with $n ranks"
  done
  for n in 2 3 4; do
    cmp "$T/sum1.txt" "$T/sum$n.txt" || fail "N=$N: datasets differ between 1 and $n ranks"
    cmp "$T/i1.json" "$T/i$n.json" || fail "N=$N: inspect differs between 1 and $n ranks"
  done
done
# inspect --json: the fields a user scripts against
python3 - "$T/i1.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["kind"] == "snapshot", j["kind"]
assert j["format_version"] == 2
assert j["subscribers"] == 3, j["subscribers"]
assert j["features"] >= 40, j["features"]
assert j["churn_rate"] is not None and 0 <= j["churn_rate"] <= 1
assert len(j["regions"]) == 18 and j["regions"][0]["name"] == "北京", j["regions"][0]
PY
# a bigger one: churn rate near 2%, and the next month keeps ids minus leavers plus joiners
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 200000 --quiet || fail "generate 200k"
run 2 "$CS" inspect --json "$T/m1.h5" > "$T/m1.json"
run 3 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate --follows"
run 1 "$CS" generate --follows "$T/m1.h5" --out "$T/m2b.h5" --quiet || fail "generate --follows 1 rank"
[ "$(dsum "$T/m2.h5" /subscribers/features)" = "$(dsum "$T/m2b.h5" /subscribers/features)" ] \
  || fail "--follows differs between 3 and 1 ranks"
run 2 "$CS" inspect --json "$T/m2.h5" > "$T/m2.json"
python3 - "$T/m1.json" "$T/m2.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert 0.012 < a["churn_rate"] < 0.03, a["churn_rate"]
# every leaver has a type, about one in five voluntary (the generator's calibration)
assert a["has_churn_type"] and a["voluntary"] + a["involuntary"] == a["churned"], a
assert 0.14 < a["voluntary"] / a["churned"] < 0.27, a
assert a["month"] == "2026-10" and b["month"] == "2026-11", (a["month"], b["month"])
expect = a["subscribers"] - a["churned"] + round(a["subscribers"] * 0.02)
assert b["subscribers"] == expect, (b["subscribers"], expect)
PY
echo "generate: identical for 1-4 ranks; follows ok"

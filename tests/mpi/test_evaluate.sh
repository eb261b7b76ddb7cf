#!/bin/bash
# evaluate: the numbers equal an independent computation (tests/mpi/evalcheck.py: Python's csv module
# and h5dump, no shared code) in both definitions of "left" — the scored month's labels, and absence
# from the next month (with and without the scored month's population); both definitions agree on a
# generated operator, whose next month drops exactly the leavers; the outputs are identical, byte for
# byte, for 1 to 4 ranks; hand-made lists (ids not in the snapshot, a healthy row without a tier, a
# region name that starts a formula); bad input gives one clear message and leaves no output.
source "$(dirname "$0")/common.sh"
CHECK="python3 $(dirname "$0")/evalcheck.py"
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 30011 --regions 5 --seed 7 --quiet || fail "generate m1"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate m2"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/model.h5" --quiet > /dev/null || fail "train"
# --top keeps the lists short, so some leavers are not listed (recall below 1)
run 2 "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/sc.h5" --lists "$T/L" --top 150 \
  --quiet > /dev/null || fail "score"

# labels of the scored month, 1 to 4 ranks, identical outputs
for n in 1 2 3 4; do
  run $n "$CS" evaluate --lists "$T/L" --outcomes "$T/m1.h5" --out "$T/e$n" --block-rows 8192 \
    > "$T/e$n.txt" 2> "$T/e$n.err" || { cat "$T/e$n.err"; fail "evaluate with $n ranks"; }
done
for n in 2 3 4; do
  for x in csv json md; do cmp "$T/e1.$x" "$T/e$n.$x" || fail "evaluation.$x differs between 1 and $n ranks"; done
  cmp "$T/e1.txt" "$T/e$n.txt" || fail "printed table differs between 1 and $n ranks"
done
$CHECK check "$T/L" "$T/e1.csv" --labels "$T/m1.h5" || fail "labels mode against the independent computation"
# --scores: each phase's and tier's recall and lift within the group (its own leavers and base rate),
# both modes, 1 and 3 ranks, identical, and against the independent computation
for n in 1 3; do
  run $n "$CS" evaluate --lists "$T/L" --outcomes "$T/m1.h5" --scores "$T/sc.h5" --out "$T/g$n" --block-rows 8192 \
    > /dev/null 2> "$T/g$n.err" || { cat "$T/g$n.err"; fail "evaluate --scores with $n ranks"; }
  run $n "$CS" evaluate --lists "$T/L" --outcomes "$T/m2.h5" --absent-means-churned --previous "$T/m1.h5" \
    --scores "$T/sc.h5" --out "$T/ga$n" --block-rows 8192 > /dev/null 2> "$T/ga$n.err" || { cat "$T/ga$n.err"; fail "evaluate --scores, absent, $n ranks"; }
done
for x in csv json md; do
  cmp "$T/g1.$x" "$T/g3.$x" || fail "evaluate --scores .$x differs between 1 and 3 ranks"
  cmp "$T/ga1.$x" "$T/ga3.$x" || fail "evaluate --scores (absent) .$x differs between 1 and 3 ranks"
done
$CHECK check "$T/L" "$T/g1.csv" --labels "$T/m1.h5" --scores "$T/sc.h5" || fail "--scores, labels, against the independent computation"
$CHECK check "$T/L" "$T/ga1.csv" --absent "$T/m2.h5" --previous "$T/m1.h5" --scores "$T/sc.h5" || fail "--scores, absent, against the independent computation"
# the group's own base rate: a tier's leavers are fewer than all leavers
python3 - "$T/g1.csv" "$T/e1.csv" <<'PY' || fail "per-group leavers"
import csv, sys
g = {(r["scope"], r["region"], r["breakdown"], r["group"]): r for r in csv.DictReader(open(sys.argv[1]))}
e = {(r["scope"], r["region"], r["breakdown"], r["group"]): r for r in csv.DictReader(open(sys.argv[2]))}
allv = int(g[("overall", "", "all", "all")]["leavers"])
assert g[("overall", "", "all", "all")] == e[("overall", "", "all", "all")]
tiers = [r for k, r in g.items() if k[0] == "overall" and k[2] == "tier"]
assert tiers and all(int(r["leavers"]) < allv for r in tiers)
assert sum(int(r["leavers"]) for r in tiers) <= allv
PY
rc=0; run 1 "$CS" evaluate --lists "$T/L" --outcomes "$T/m1.h5" --scores "$T/m1.h5" > /dev/null 2> "$T/gs.err" || rc=$?
[ "$rc" = 4 ] && has "not a churnscore scores file" "$T/gs.err" || { cat "$T/gs.err"; fail "--scores of a snapshot: exit $rc"; }
grep -q "all regions" "$T/e1.txt" || fail "no table printed"

# absence from the next month, with the scored month's population (the distributed join)
for n in 1 3; do
  run $n "$CS" evaluate --lists "$T/L" --outcomes "$T/m2.h5" --absent-means-churned --previous "$T/m1.h5" \
    --out "$T/a$n" --block-rows 8192 > /dev/null 2> "$T/a$n.err" || { cat "$T/a$n.err"; fail "absent mode, $n ranks"; }
done
cmp "$T/a1.csv" "$T/a3.csv" || fail "absent mode differs between 1 and 3 ranks"
# a --memory too small for the join's id set in one go: the join runs in several passes, same figures
run 2 "$CS" evaluate --lists "$T/L" --outcomes "$T/m2.h5" --absent-means-churned --previous "$T/m1.h5" \
  --out "$T/am" --block-rows 8192 --memory 200K > /dev/null 2> "$T/am.err" || { cat "$T/am.err"; fail "absent mode, small --memory"; }
grep -qE "id join in [0-9]+ passes" "$T/am.err" || { cat "$T/am.err"; fail "small --memory should split the join"; }
for x in csv json md; do cmp "$T/a1.$x" "$T/am.$x" || fail "absent mode with a multi-pass join differs ($x)"; done
$CHECK check "$T/L" "$T/a1.csv" --absent "$T/m2.h5" --previous "$T/m1.h5" || fail "absent mode against the independent computation"
# generate --follows drops exactly the leavers: both definitions give the same figures
cut -d, -f1-12 "$T/e1.csv" > "$T/e1.cut"
cut -d, -f1-12 "$T/a1.csv" > "$T/a1.cut"
cmp "$T/e1.cut" "$T/a1.cut" || { diff "$T/e1.cut" "$T/a1.cut" | head; fail "labels and absence disagree on a generated operator"; }
# without the population: precision, but no recall
run 2 "$CS" evaluate --lists "$T/L" --outcomes "$T/m2.h5" --absent-means-churned --json > "$T/a.json" 2> /dev/null \
  || fail "absent mode without --previous"
python3 - "$T/a.json" "$T/e1.json" <<'PY' || fail "JSON output"
import json, sys
a, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["kind"] == "evaluation" and a["lists_month"] == "2026-10" and a["outcomes_month"] == "2026-11"
o = a["overall"]
assert o["recall"] is None and o["leavers"] is None and o["precision"] == e["overall"]["precision"], o
# retention holds alarms and warnings; collections may hold healthy predicted non-payers too
assert {"alarm", "warning"} <= set(o["by_phase"]) <= {"alarm", "warning", "healthy"}, o["by_phase"].keys()
assert set(e["overall"]["by_tier"]) <= {"1", "2", "3", "4", "5"}
assert 0 < e["overall"]["recall"] < 1, e["overall"]["recall"]
assert len(e["regions"]) == 5
print("evaluate: overall precision %.4f recall %.4f lift %.2f" % (e["overall"]["precision"],
      e["overall"]["recall"], e["overall"]["lift"]))
PY

# hand-made lists
$CHECK make "$T/m1.h5" "$T/H" > /dev/null || fail "evalcheck make"
run 3 "$CS" evaluate --lists "$T/H" --outcomes "$T/m1.h5" --out "$T/h" > "$T/h.txt" 2>&1 || { cat "$T/h.txt"; fail "hand-made lists"; }
$CHECK check "$T/H" "$T/h.csv" --labels "$T/m1.h5" || fail "hand-made lists against the independent computation"
grep -q "^overall,,all,all,21,8,0.4," "$T/h.csv" || { head -3 "$T/h.csv"; fail "hand-made lists: 21 listed, 8 left of 20 known"; }
grep -q "^overall,,all,all,21,8,.*,1,0$" "$T/h.csv" || fail "hand-made lists: one id not in the outcomes"
grep -q "^region,'=SUM(A1),phase,healthy,1,0," "$T/h.csv" || fail "formula region name or healthy row"
grep -q '"region": "=SUM(A1)"' "$T/h.json" || fail "region name in JSON"
grep -q "1 listed subscribers are not in the outcome snapshot" "$T/h.txt" || fail "no note on unmatched ids"

# bad input: one message, non-zero exit with the documented code, no output left
expect_fail() { # expect_fail CODE PATTERN RANKS ARGS...
  local code=$1 pat=$2 n=$3 rc=0; shift 3
  rm -f "$T"/bad.*
  run "$n" "$CS" evaluate "$@" --out "$T/bad" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  [ $rc = "$code" ] || { cat "$T/err.txt"; fail "exit $rc, expected $code: $*"; }
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "message lacks '$pat': $*"; }
  [ "$(grep -c 'churnscore: error' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "not exactly one error line: $*"; }
  ls "$T"/bad.* > /dev/null 2>&1 && fail "output left behind: $*"
  return 0
}
run 2 "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/scm.h5" --lists "$T/M" --top 20 --mask-ids \
  --quiet > /dev/null || fail "score --mask-ids"
expect_fail 1 "the ids are masked (score --mask-ids)" 2 --lists "$T/M" --outcomes "$T/m1.h5"
"$BUILD/badfiles" "$T/m1.h5" "$T" || fail "badfiles"
expect_fail 4 "nolabels.h5: has no labels" 2 --lists "$T/L" --outcomes "$T/nolabels.h5"
# a bad region index that only the last rank reads
expect_fail 5 "region.h5: /subscribers/region row 30008: index 999 out of range" 4 --lists "$T/L" --outcomes "$T/region.h5"
expect_fail 1 "the lists are of 2026-10 but .*m2.h5 is of 2026-11" 2 --lists "$T/L" --outcomes "$T/m2.h5"
run 2 "$CS" evaluate --lists "$T/L" --outcomes "$T/m2.h5" --any-month > /dev/null 2>&1 || fail "--any-month"
expect_fail 1 "must be a later month" 2 --lists "$T/L" --outcomes "$T/m1.h5" --absent-means-churned
expect_fail 1 "must be the snapshot the lists were scored from" 2 --lists "$T/L" --outcomes "$T/m2.h5" \
  --absent-means-churned --previous "$T/m2.h5"
expect_fail 1 "option --previous goes with --absent-means-churned" 2 --lists "$T/L" --outcomes "$T/m1.h5" --previous "$T/m1.h5"
mkdir -p "$T/D"
cp "$T"/H/*.csv "$T/D/" && cp "$T/H/00-a.csv" "$T/D/02-copy.csv"
expect_fail 5 "is listed twice" 3 --lists "$T/D" --outcomes "$T/m1.h5"
mkdir -p "$T/P" && printf 'rank,id,region,phase\n1,5,x,soon\n' > "$T/P/00-x.csv"
expect_fail 5 "00-x.csv: line 2: phase 'soon' is not alarm, warning or healthy" 2 --lists "$T/P" --outcomes "$T/m1.h5"
printf 'rank,id,region,phase\n1,12ab,x,alarm\n' > "$T/P/00-x.csv"
expect_fail 5 "line 2: id '12ab' is not a subscriber id" 2 --lists "$T/P" --outcomes "$T/m1.h5"
printf 'a,b\n1,2\n' > "$T/P/00-x.csv"
expect_fail 4 "not a list written by churnscore score" 2 --lists "$T/P" --outcomes "$T/m1.h5"
mkdir -p "$T/K.tmp"
expect_fail 3 "K: cannot open the lists directory.*did not finish" 2 --lists "$T/K" --outcomes "$T/m1.h5"
mkdir -p "$T/E"
expect_fail 4 "holds no list" 2 --lists "$T/E" --outcomes "$T/m1.h5"
expect_fail 3 "nothere.h5" 2 --lists "$T/L" --outcomes "$T/nothere.h5"
echo "evaluate: independent computation matched (labels, absence, hand-made); identical for 1-4 ranks; bad input refused"

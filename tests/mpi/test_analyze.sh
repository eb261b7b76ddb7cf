#!/bin/bash
# analyze: for a generated two-month operator with areas and three competitors, every figure of the
# five reports equals an independent numpy computation (tests/mpi/analyzecheck.py) and the output
# directory is identical, byte for byte, at 1 and 3 ranks; the check itself catches a changed
# figure; without --previous and --scores, and on snapshots without areas or of a provincial
# operator, the figures are still right; bad input gives one clear message, the documented exit code
# and no output.
source "$(dirname "$0")/common.sh"
CHECK="/usr/bin/python3 $(dirname "$0")/analyzecheck.py"
G="--subscribers 12011 --regions 4 --seed 11 --areas --competitors 3 --quiet"
run 2 "$CS" generate --out "$T/oct.h5" $G --month 2026-10 || fail "generate oct"
run 2 "$CS" generate --follows "$T/oct.h5" --out "$T/nov.h5" --quiet || fail "generate nov"
"$CS" inspect "$T/nov.h5" | has "format version 3" || fail "a snapshot with areas is version 3"
run 2 "$CS" train --in "$T/oct.h5" --model "$T/model.h5" --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$T/nov.h5" --model "$T/model.h5" --out "$T/nov-scores.h5" --lists "$T/L" \
  --top 20 --quiet > /dev/null || fail "score"
head -1 "$T/L/00-北京-retention.csv" | has "region,area,brand" || fail "the lists carry the area"

A="--in $T/nov.h5 --previous $T/oct.h5 --scores $T/nov-scores.h5 --block-rows 8192"
for n in 1 3; do
  run $n "$CS" analyze $A --out "$T/a$n" 2> "$T/a$n.err" || { cat "$T/a$n.err"; fail "analyze, $n ranks"; }
done
diff -r "$T/a1" "$T/a3" > /dev/null || fail "the reports differ between 1 and 3 ranks"
for r in churn suspension forwarding traffic-change grid; do
  [ -s "$T/a1/$r.csv" ] && [ -s "$T/a1/$r.json" ] || fail "no $r.csv or $r.json"
done
for h in "## Churn" "## Suspensions" "## Call forwarding" "## Traffic change" "## Big customers"; do
  has -F "$h" "$T/a1/report.md" || fail "report.md has no section '$h'"
done
$CHECK "$T/nov.h5" "$T/a1" --previous "$T/oct.h5" --scores "$T/nov-scores.h5" || fail "figures against numpy"
# the competitors are named in the forwarding report, and an area row of 北京 is there
has "^telecom,area,北京,朝阳区," "$T/a1/forwarding.csv" || fail "no 北京/朝阳区 row for telecom"
# the check can fail: one figure changed by one
cp -r "$T/a1" "$T/bad"
awk -F, 'BEGIN{OFS=","} NR==2{$5=$5+1} {print}' "$T/a1/churn.csv" > "$T/bad/churn.csv"
if $CHECK "$T/nov.h5" "$T/bad" --previous "$T/oct.h5" --scores "$T/nov-scores.h5" 2> /dev/null; then
  fail "the check did not see a changed figure"
fi

# a rerun replaces the directory; without --previous and --scores: no changes, an unscored grid
run 2 "$CS" analyze --in "$T/nov.h5" --out "$T/a1" --traffic-change 50 --quiet || fail "analyze alone"
$CHECK "$T/nov.h5" "$T/a1" --traffic-change 50 || fail "figures without last month and scores"
has "^unscored," "$T/a1/grid.csv" || fail "the grid without scores is unscored"

# no areas (a snapshot as every earlier version wrote it); a provincial operator
run 2 "$CS" generate --out "$T/plain.h5" --subscribers 9001 --regions 3 --seed 5 --quiet || fail "generate plain"
run 3 "$CS" analyze --in "$T/plain.h5" --out "$T/p3" --quiet || fail "analyze plain"
$CHECK "$T/plain.h5" "$T/p3" || fail "figures without areas"
has "^all,total," "$T/p3/forwarding.csv" || fail "without competitors the forwarding report has the total"
run 2 "$CS" generate --out "$T/henan.h5" --subscribers 9001 --operator province:河南 --areas --quiet \
  || fail "generate henan"
run 2 "$CS" analyze --in "$T/henan.h5" --out "$T/h" --quiet || fail "analyze henan"
has "^area,洛阳,洛龙区,," "$T/h/churn.csv" || fail "河南: no 洛阳/洛龙区 row"
$CHECK "$T/henan.h5" "$T/h" || fail "figures of the provincial operator"

# import --area: an extract's areas below its regions, analysed like a generated month's
# (with a plan column: the grid gets a product dimension, the plan's first level "other" with it)
{ echo "id,prov,city,brand,churned,arpu_m3,tenure_months,suspended_arrears,forward_to_competitor_m3,plan"
  printf '%s\n' "1,河南,郑州市,A,yes,50.5,10,0,1,4G58" "2,河南,洛阳市,A,no,60,1,1,0,5G128" "3,广东,广州市,B,no,70.25,20,0,0,5G98" \
    "4,河南,郑州市,B,no,,5,1,0,5G128" "5,广东,深圳市,A,yes,80,3,0,1,4G58" "6,广东,,A,no,1,1,0,0,5G98" "7,广东,郑州市,A,no,1,1,0,0,4G58"
} > "$T/ex.csv"
"$CS" import --csv "$T/ex.csv" --out "$T/ex.h5" --id id --region prov --area city --brand brand \
  --label churned --positive yes --on-bad-row skip --quiet > "$T/ex.out" 2>&1 || { cat "$T/ex.out"; fail "import --area"; }
has "skipped 2 bad rows" "$T/ex.out" || fail "import --area: a row without an area and one in another region are bad rows"
run 2 "$CS" analyze --in "$T/ex.h5" --out "$T/ex" --quiet || fail "analyze of an imported month"
has "^area,河南,郑州市,,2,," "$T/ex/churn.csv" || fail "imported 河南/郑州市: 2 subscribers"
$CHECK "$T/ex.h5" "$T/ex" || fail "figures of the imported month"
head -1 "$T/ex/grid.csv" | has "^risk_band,tier,brand,product," || fail "a plan column gives the grid a product"
has "^unscored,0,A,5G128,1," "$T/ex/grid.csv" && has "^unscored,0,A,other,2," "$T/ex/grid.csv" \
  || { cat "$T/ex/grid.csv"; fail "the grid by product: A/5G128 1, A/other (4G58) 2"; }
head -1 "$T/a1/grid.csv" | has "^risk_band,tier,brand,subscribers," || fail "no plan, no product column"
rc=0; "$CS" import --csv "$T/ex.csv" --out "$T/ex2.h5" --id id --region prov --area city --quiet 2> "$T/err" || rc=$?
[ $rc = 5 ] && has "line 7: the area is missing\|city): the area is missing" "$T/err" || { cat "$T/err"; fail "import --area: a missing area (5)"; }

# bad input: one message, the documented code, no output
expect() { # CODE PATTERN ARGS...: analyze exits CODE, its message matches PATTERN, no $T/x
  local code=$1 pat=$2 rc=0; shift 2
  run 2 "$CS" analyze "$@" > /dev/null 2> "$T/err" || rc=$?
  [ "$rc" = "$code" ] || { cat "$T/err"; fail "expected exit $code, got $rc: $*"; }
  has -E -e "$pat" "$T/err" || { cat "$T/err"; fail "message '$pat' missing: $*"; }
  [ ! -e "$T/x" ] && [ ! -e "$T/x.tmp" ] || fail "output left behind: $*"
}
expect 1 "--out" --in "$T/nov.h5" --out "$T/nov.h5"
expect 1 "traffic-change" --in "$T/nov.h5" --out "$T/x" --traffic-change 0
expect 4 "has no areas" --in "$T/nov.h5" --previous "$T/plain.h5" --out "$T/x"
expect 4 "nov-scores.h5" --in "$T/oct.h5" --scores "$T/nov-scores.h5" --out "$T/x"
cp "$T/nov.h5" "$T/nov2.h5"
expect 1 "last month's" --in "$T/nov.h5" --previous "$T/nov2.h5" --out "$T/x"
expect 2 "join needs" --in "$T/nov.h5" --previous "$T/oct.h5" --out "$T/x" --memory 100K
mkdir -p "$T/x" && echo mine > "$T/x/notes.txt"
rc=0; run 2 "$CS" analyze --in "$T/nov.h5" --out "$T/x" > /dev/null 2> "$T/err" || rc=$?
[ "$rc" = 3 ] && has "notes.txt" "$T/err" && [ "$(cat "$T/x/notes.txt")" = mine ] \
  || { cat "$T/err"; fail "a directory with a file analyze did not write must be refused (3), untouched"; }
# a row whose area lies in another region than the row's: data error naming the row (5)
cp "$T/nov.h5" "$T/badarea.h5"
/usr/bin/python3 - "$T/badarea.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r+")
r, ar = f["/subscribers/region"][5], f["/areas/region"][:]
f["/subscribers/area"][5] = [a for a in range(len(ar)) if ar[a] != r][0]
PY
rm -rf "$T/x"
expect 5 "/subscribers/area row 5: .* lies in region" --in "$T/badarea.h5" --out "$T/x"
echo "test_analyze: ok"

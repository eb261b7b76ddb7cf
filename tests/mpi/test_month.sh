#!/bin/bash
# run-month.sh (the monthly chain without a scheduler) over two generated months: month 1 trains and
# scores; month 2 (generate --follows) reuses month 1's model, scores, evaluates month 1's lists and
# publishes; `latest` follows the completed months. A rerun over a killed run's leftovers (*.tmp)
# finishes the month cleanly; a failing train step stops the month before scoring and leaves the
# previous month and `latest` untouched; a rerun of an older month does not move `latest` back; bad
# arguments give the documented exit codes; a month arriving as CSV runs import first; masked lists
# are not evaluated.
source "$(dirname "$0")/common.sh"
CS=$(readlink -f "$CS")  # the wrappers below run in other directories
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
RM="$SRC/scripts/run-month.sh"
export CHURNSCORE=$CS CS_RANKS=2 CS_MPIRUN="timeout 300 mpirun --oversubscribe" CS_PUBLISH_DIR=""
R="$T/runs"
month() { # month LOGNAME ARGS...: runs run-month.sh, keeps its output, returns its exit code
  local log=$1; shift
  local rc=0
  bash "$RM" "$@" > "$T/$log.log" 2>&1 || rc=$?
  return $rc
}
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 20000 --regions 4 --seed 3 --month 2026-10 --quiet || fail "generate m1"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate m2"
run 2 "$CS" generate --follows "$T/m2.h5" --out "$T/m3.h5" --quiet || fail "generate m3"

# month 1: retrain, score; nothing to evaluate yet
month m1 --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R" || { cat "$T/m1.log"; fail "month 1"; }
for f in model.h5 scores.h5 lists/summary.json lists/summary.csv report.md month.json plan.env train-report.md; do
  [ -f "$R/2026-10/$f" ] || fail "month 1: $f missing"
done
[ ! -L "$R/2026-10/model.h5" ] || fail "month 1: the model should be trained, not linked"
[ "$(readlink "$R/latest")" = 2026-10 ] || fail "latest should be 2026-10"
ls "$R"/2026-10/evaluation.* > /dev/null 2>&1 && fail "month 1 has nothing to evaluate"
grep -q "evaluation: none (no completed month before 2026-10)" "$R/2026-10/report.md" || fail "month 1 report"
grep -q "## Model trained this month" "$R/2026-10/report.md" || fail "month 1 report lacks the training report"
grep -q '"retrained": true' "$R/2026-10/month.json" || fail "month.json of month 1"
for s in train score export; do [ -s "$R/2026-10/logs/$s.log" ] || fail "no log of step $s"; done

# month 2: reuse month 1's model, evaluate month 1's lists, publish
export CS_PUBLISH_DIR="$T/pub"
month m2 --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" || { cat "$T/m2.log"; fail "month 2"; }
[ "$(readlink "$R/2026-11/model.h5")" = ../2026-10/model.h5 ] || fail "month 2 should link month 1's model"
for f in scores.h5 lists/summary.json report.md month.json evaluation.csv evaluation.json evaluation.md; do
  [ -f "$R/2026-11/$f" ] || fail "month 2: $f missing"
done
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest should be 2026-11"
[ "$(readlink -f "$R/2026-11/snapshot.h5")" = "$(readlink -f "$T/m2.h5")" ] || fail "month 2's snapshot link"
grep -q "## Evaluation of last month's lists" "$R/2026-11/report.md" || fail "month 2 report lacks the evaluation"
grep -q "reused; trained in 2026-10" "$R/2026-11/report.md" || fail "month 2 report: model history"
diff -r "$R/2026-11/lists" "$T/pub/2026-11" | grep -v "Only in $T/pub/2026-11: report.md" | grep -q . \
  && fail "published lists differ from the month's lists"
# the chain's evaluation (absence from month 2, population of month 1) gives the same figures as
# month 1's own labels
run 2 "$CS" evaluate --lists "$R/2026-10/lists" --outcomes "$T/m1.h5" --out "$T/direct" > /dev/null 2>&1 || fail "direct evaluate"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "chain evaluation differs from the labels"
python3 - "$R/2026-11/evaluation.json" <<'PY' || fail "month 2 evaluation.json"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["lists_month"] == "2026-10" and e["outcomes_month"] == "2026-11", e
o = e["overall"]
assert o["listed"] > 0 and 0 < o["precision"] < 1 and 0 < o["recall"] < 1, o
PY

# a killed run's leftovers: temporary files are never taken for complete, the rerun finishes
cp -r "$R/2026-11/lists" "$T/lists2"
echo garbage > "$R/2026-11/scores.h5.tmp"
mkdir -p "$R/2026-11/lists.tmp" && echo garbage > "$R/2026-11/lists.tmp/00-x.csv"
echo garbage > "$R/2026-11/report.md.tmp"
echo garbage > "$R/2026-11/evaluation.csv.tmp"
# (this time against month 1's labels, --outcomes, instead of absence from month 2)
month m2b --month 2026-11 --snapshot "$T/m2.h5" --outcomes "$T/m1.h5" --runs "$R" || { cat "$T/m2b.log"; fail "rerun of month 2"; }
grep -q '"outcome": "churned label of the outcome snapshot"' "$R/2026-11/evaluation.json" || fail "--outcomes not used"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "evaluation with --outcomes"
[ -z "$(find "$R" -name '*.tmp')" ] || { find "$R" -name '*.tmp'; fail "temporary files left after the rerun"; }
diff -r "$T/lists2" "$R/2026-11/lists" || fail "the rerun changed month 2's lists"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest after the rerun"

# month 3 with a failing train step: no scoring, month 2 and latest untouched
echo "not a snapshot" > "$T/junk.h5"
rc=0; month m3 --month 2026-12 --snapshot "$T/m3.h5" --train "$T/junk.h5" --runs "$R" || rc=$?
[ $rc = 4 ] || { cat "$T/m3.log"; fail "failing train: exit $rc, expected 4 (format error)"; }
grep -q "stopped at step train" "$T/m3.log" || fail "no message on the failed step"
[ ! -e "$R/2026-12/scores.h5" ] && [ ! -e "$R/2026-12/lists" ] && [ ! -e "$R/2026-12/month.json" ] \
  || fail "month 3 went on after train failed"
[ ! -e "$R/2026-12/logs/score.log" ] || fail "score ran after train failed"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved after a failed month"
diff -r "$T/lists2" "$R/2026-11/lists" || fail "month 2's lists changed"
[ ! -e "$T/pub/2026-12" ] || fail "a failed month was published"

# a rerun of an older month completes without moving latest back
month m1b --month 2026-10 --snapshot "$T/m1.h5" --model "$R/2026-10/model.h5" --runs "$R" \
  || { cat "$T/m1b.log"; fail "rerun of month 1"; }
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved back to an older month"
grep -q "latest stays at the later month 2026-11" "$T/m1b.log" || fail "no message on latest staying"

# a month that arrives as CSV: the import step runs first and writes --snapshot, --like the previous
# month's snapshot. churnscore import is stood in for by a wrapper that records its arguments and
# writes the next generated month, so this checks the chain's plumbing, not the importer.
cat > "$T/cs-stub.sh" <<STUB
#!/bin/bash
if [ "\$1" = import ]; then
  echo "\$@" > "$T/import-args.txt"
  while [ \$# -gt 0 ]; do [ "\$1" = --out ] && out=\$2; shift; done
  exec "$CS" generate --follows "$T/m2.h5" --out "\$out" --quiet
fi
exec "$CS" "\$@"
STUB
chmod +x "$T/cs-stub.sh"
echo "id,region" > "$T/extract.csv"
CHURNSCORE="$T/cs-stub.sh" month m3c --month 2026-12 --csv "$T/extract.csv" --snapshot "$T/m3csv.h5" --runs "$R" \
  || { cat "$T/m3c.log"; fail "month 3 from CSV"; }
grep -q "steps:    import score evaluate export" "$T/m3c.log" || fail "month 3 from CSV: steps"
grep -q -- "--out $T/m3csv.h5 --month 2026-12 --csv $T/extract.csv --like $(readlink -f "$T/m2.h5")" "$T/import-args.txt" \
  || { cat "$T/import-args.txt"; fail "import arguments"; }
[ "$(readlink "$R/latest")" = 2026-12 ] && [ -f "$R/2026-12/evaluation.json" ] || fail "month 3 from CSV did not complete"

# masked lists cannot be evaluated: the next month says so and completes without an evaluation
CS_SCORE_OPTS="--mask-ids" month k1 --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$T/masked" \
  || { cat "$T/k1.log"; fail "month with masked lists"; }
month k2 --month 2026-11 --snapshot "$T/m2.h5" --runs "$T/masked" || { cat "$T/k2.log"; fail "month after masked lists"; }
grep -q "evaluate: skipped (the lists of 2026-10 have masked ids" "$T/k2.log" || fail "masked lists: no notice"
[ "$(readlink "$T/masked/latest")" = 2026-11 ] && [ ! -e "$T/masked/2026-11/evaluation.json" ] || fail "masked lists: month 2"

# arguments
expect_rc() { # expect_rc CODE PATTERN ARGS...
  local code=$1 pat=$2 rc=0; shift 2
  month bad "$@" || rc=$?
  [ $rc = "$code" ] || { cat "$T/bad.log"; fail "exit $rc, expected $code: $*"; }
  grep -q -- "$pat" "$T/bad.log" || { cat "$T/bad.log"; fail "message lacks '$pat'"; }
}
expect_rc 64 "--month YYYY-MM is required" --snapshot "$T/m1.h5" --runs "$R"
expect_rc 64 "is not YYYY-MM" --month 2026-13 --snapshot "$T/m1.h5" --runs "$R"
expect_rc 64 "unknown argument '--bogus'" --month 2026-10 --bogus
expect_rc 64 "exclude each other" --month 2027-01 --snapshot "$T/m3.h5" --runs "$R" --train "$T/m1.h5" --model "$T/m1.h5"
expect_rc 64 "--csv is given twice" --month 2027-01 --csv "$T/extract.csv" --csv "$T/extract.csv" --snapshot "$T/x.h5" --runs "$R"
expect_rc 66 "does not exist" --month 2027-01 --snapshot "$T/nothere.h5" --runs "$R"
expect_rc 66 "no model to reuse" --month 2026-10 --snapshot "$T/m1.h5" --runs "$T/empty-runs"
bash "$RM" --help | grep -q "Exit codes" || fail "--help"
echo "run-month: two months chained, evaluation, publication, rerun after a kill, failed month isolated"

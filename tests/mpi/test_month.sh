#!/bin/bash
# run-month.sh (the monthly chain without a scheduler) over generated months: month 1 trains and
# scores; month 2 (generate --follows) reuses month 1's model, scores, evaluates month 1's lists and
# publishes; `latest` follows the completed months. History is kept: a killed, timed-out or crashed
# step ends with the documented code (75, 75, 70) and leaves nothing in place; the rerun finishes the
# month over the leftovers; a rerun of a complete month is refused (73) and changes no byte of any
# month (checksums of every file and link target); a snapshot of another month is refused (65)
# before anything runs; a failed --force-rerun (bad train input, a failing score over a different
# snapshot) leaves the month byte-identical; a completed --force-rerun archives the old month,
# byte-identical, and the next month keeps the model it used; the next month's evaluation, rerun
# after all that, still gives the figures of month 1 as it completed. Also: a failing train step
# stops the month before scoring; a month arriving as CSV runs import first; masked lists are not
# evaluated; a second run of a month in progress is refused (75), and a month completed by another
# run meanwhile is not replaced at export (73); bad arguments give their codes.
source "$(dirname "$0")/common.sh"
CS=$(readlink -f "$CS")  # the wrappers below run in other directories
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
RM="$SRC/scripts/run-month.sh"
# CS_LANG=en: the checks below read the English report (test_lists.sh runs a month in Chinese)
export CHURNSCORE=$CS CS_RANKS=2 CS_MPIRUN="timeout 300 mpirun --oversubscribe" CS_PUBLISH_DIR="" CS_LANG=en
R="$T/runs"
month() { # month LOGNAME ARGS...: runs run-month.sh, keeps its output, returns its exit code
  local log=$1; shift
  local rc=0
  bash "$RM" "$@" > "$T/$log.log" 2>&1 || rc=$?
  return $rc
}
expect_rc() { # expect_rc CODE PATTERN ARGS...: run-month.sh ARGS ends with CODE and says PATTERN
  local code=$1 pat=$2 rc=0; shift 2
  month bad "$@" || rc=$?
  [ $rc = "$code" ] || { cat "$T/bad.log"; fail "exit $rc, expected $code: $*"; }
  grep -q -- "$pat" "$T/bad.log" || { cat "$T/bad.log"; fail "message lacks '$pat': $*"; }
}
# tree_sum DIR: one line per entry under DIR (sorted): its path and type, a link's text and the
# checksum of what it resolves to, a file's checksum. Equal sums: every byte and every link the same.
tree_sum() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
    if [ -L "$p" ]; then
      printf '%s link %s %s\n' "$p" "$(readlink "$p")" "$( [ -f "$p" ] && sha256sum < "$p" | cut -c1-64)"
    elif [ -f "$p" ]; then
      printf '%s file %s\n' "$p" "$(sha256sum < "$p" | cut -c1-64)"
    else
      printf '%s %s\n' "$p" "$(stat -c %F "$p")"
    fi
  done)
}
# every completed month, the archive and latest
runs_sum() {
  local d
  for d in "$R"/[0-9]*-[0-9]* "$R"/.archive/*; do [ -d "$d" ] && { echo "== ${d#"$R"/}"; tree_sum "$d"; }; done
  echo "latest -> $(readlink "$R/latest")"
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
[ ! -e "$R/.staging/2026-10" ] || fail "month 1's staging directory is left after it completed"

# month 2, killed three ways in its score step. A wrapper around churnscore writes a half-written
# scores.h5.tmp, then rank 1 dies by SIGKILL (a rank killed: 75) or SIGSEGV (a crash: 70), or every
# rank hangs past the launcher's time limit (timeout: 75). Each time nothing moves: no 2026-11, latest stays.
cat > "$T/die.sh" <<STUB
#!/bin/bash
if [ "\$1" = score ]; then
  while [ \$# -gt 0 ]; do [ "\$1" = --out ] && echo half-written > "\$2.tmp"; shift; done
  # one rank dies (mpirun then ends the other); a hang is every rank's
  case \$DIE_HOW-\$OMPI_COMM_WORLD_RANK in kill-1) kill -KILL \$\$ ;; segv-1) kill -SEGV \$\$ ;; hang-*) exec sleep 60 ;; esac
fi
exec "$CS" "\$@"
STUB
chmod +x "$T/die.sh"
export CS_PUBLISH_DIR="$T/pub"
for how in kill:75:"killed (signal SIGKILL" hang:75:"ran past its time limit" segv:70:"crashed (signal SIGSEGV"; do
  IFS=: read -r h code pat <<<"$how"
  mpirun_cmd=$CS_MPIRUN; [ "$h" = hang ] && mpirun_cmd="timeout 4 mpirun --oversubscribe"
  rc=0; DIE_HOW=$h CS_MPIRUN=$mpirun_cmd CHURNSCORE="$T/die.sh" month k-$h --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" || rc=$?
  [ $rc = "$code" ] || { cat "$T/k-$h.log"; fail "score step ended by $h: exit $rc, expected $code"; }
  grep -q "$pat" "$T/k-$h.log" || { cat "$T/k-$h.log"; fail "score step ended by $h: no '$pat'"; }
  grep -q "stopped at step score (exit $code)" "$T/k-$h.log" || fail "score step ended by $h: no stop message"
  [ ! -e "$R/2026-11" ] && [ "$(readlink "$R/latest")" = 2026-10 ] && [ ! -e "$T/pub/2026-11" ] \
    || fail "score step ended by $h: something moved"
  [ -f "$R/.staging/2026-11/scores.h5.tmp" ] || fail "score step ended by $h: the staged leftovers are not where the message says"
done

# month 2 again: finishes over the leftovers, reuses month 1's model, evaluates month 1's lists,
# publishes
month m2 --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" || { cat "$T/m2.log"; fail "month 2"; }
grep -q "removing the leftovers of an earlier unfinished run of 2026-11" "$T/m2.log" || fail "month 2: leftovers not noticed"
[ -f "$R/2026-11/model.h5" ] && [ ! -L "$R/2026-11/model.h5" ] && [ "$R/2026-11/model.h5" -ef "$R/2026-10/model.h5" ] \
  || fail "month 2's model.h5 should be a hard link to month 1's"
for f in scores.h5 lists/summary.json report.md month.json evaluation.csv evaluation.json evaluation.md; do
  [ -f "$R/2026-11/$f" ] || fail "month 2: $f missing"
done
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest should be 2026-11"
[ "$(readlink -f "$R/2026-11/snapshot.h5")" = "$(readlink -f "$T/m2.h5")" ] || fail "month 2's snapshot link"
# month over month (issue 15): the chain scored month 2 against month 1's scores
grep -q "score: month over month against 2026-10" "$R/2026-11/logs/score.log" || fail "month 2: not scored against month 1"
grep -q '"last_month": "2026-10"' "$R/2026-11/lists/summary.json" || fail "month 2's summary.json: no last month"
grep -q "## Evaluation of last month's lists" "$R/2026-11/report.md" || fail "month 2 report lacks the evaluation"
grep -q "reused; trained in 2026-10" "$R/2026-11/report.md" || fail "month 2 report: model history"
grep -q '"model_month": "2026-10"' "$R/2026-11/month.json" || fail "month 2 month.json: model_month"
[ -z "$(find "$R" -name '*.tmp')" ] || { find "$R" -name '*.tmp'; fail "temporary files left after the rerun"; }
[ ! -e "$R/.staging/2026-11" ] || fail "month 2's staging directory is left"
# (diff's own status through a file: it is 1 when the trees differ, which pipefail would make the
# whole line false, so that the fail after it could never run)
diff -r "$R/2026-11/lists" "$T/pub/2026-11" > "$T/pub.diff" || true
# (the publication adds the month's report, its HTML page and the analyses, issues 18 and 16)
grep -v -x -e "Only in $T/pub/2026-11: report.md" -e "Only in $T/pub/2026-11: report.html" \
  -e "Only in $T/pub/2026-11: reports" "$T/pub.diff" > "$T/pub.rest" || true
[ -s "$T/pub.rest" ] && { cat "$T/pub.rest"; fail "published lists differ from the month's lists"; }
# the analyses (issue 16): against month 1, in the month, in its report.md and published
[ -s "$R/2026-11/reports/suspension.csv" ] && [ -s "$R/2026-11/reports/forwarding.json" ] || fail "month 2: no reports/"
grep -q '"previous_month": "2026-10"' "$R/2026-11/reports/churn.json" || fail "month 2's analyses are not against month 1"
grep -q "^### Suspensions" "$R/2026-11/report.md" || fail "month 2 report lacks the analyses"
diff -r "$R/2026-11/reports" "$T/pub/2026-11/reports" > /dev/null || fail "the published reports differ from the month's"
# the chain's evaluation (absence from month 2, population of month 1, groups from month 1's
# scores.h5) gives the same figures as month 1's own labels
run 2 "$CS" evaluate --lists "$R/2026-10/lists" --outcomes "$T/m1.h5" --scores "$R/2026-10/scores.h5" --out "$T/direct" > /dev/null 2>&1 || fail "direct evaluate"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "chain evaluation differs from the labels"
python3 - "$R/2026-11/evaluation.json" <<'PY' || fail "month 2 evaluation.json"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["lists_month"] == "2026-10" and e["outcomes_month"] == "2026-11", e
o = e["overall"]
assert o["listed"] > 0 and 0 < o["precision"] < 1 and 0 < o["recall"] < 1, o
PY

# ---- history: from here every refused or failed run must leave every month byte-identical --------
S0=$(runs_sum)
same_runs() { [ "$(runs_sum)" = "$S0" ] || { diff <(echo "$S0") <(runs_sum); fail "$1: the runs changed"; }; }

# a rerun of a complete month is refused before anything is written
expect_rc 73 "month 2026-10 is already complete" --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R"
grep -q -- "--force-rerun" "$T/bad.log" || fail "the refusal does not name --force-rerun"
same_runs "rerun of a complete month"
[ ! -e "$R/.staging/2026-10" ] || fail "a refused rerun created a staging directory"
expect_rc 73 "already complete" --month 2026-11 --snapshot "$T/m2.h5" --runs "$R"
same_runs "rerun of the latest month"

# the snapshot's month attribute must be --month (checked first: nothing is written)
expect_rc 65 "the snapshot's month attribute is '2026-11', not --month 2026-12" --month 2026-12 --snapshot "$T/m2.h5" --runs "$R"
[ ! -e "$R/2026-12" ] && [ ! -e "$R/.staging/2026-12" ] || fail "a month mismatch left a month behind"
expect_rc 65 "month attribute is '2026-11'" --force-rerun --month 2026-10 --snapshot "$T/m2.h5" --runs "$R"
expect_rc 4 "not a snapshot" --month 2026-12 --snapshot "$R/2026-10/model.h5" --runs "$R"
head -c 4096 "$T/m1.h5" > "$T/truncated.h5"
rc=0; month bad --force-rerun --month 2026-10 --snapshot "$T/truncated.h5" --runs "$R" || rc=$?
[ $rc = 3 ] || [ $rc = 4 ] || { cat "$T/bad.log"; fail "a truncated snapshot: exit $rc, expected churnscore's 3 or 4"; }
same_runs "a refused snapshot"

# failed --force-rerun of a complete month: a train input that is not a snapshot (train fails), and
# a score that fails (exit 5) over another snapshot of the same month: the month stays byte-identical
echo "not a snapshot" > "$T/junk.h5"
expect_rc 4 "stopped at step train" --force-rerun --month 2026-10 --snapshot "$T/m1.h5" --train "$T/junk.h5" --runs "$R"
same_runs "a failed --force-rerun (train)"
cp "$T/m1.h5" "$T/m1-copy.h5"
cat > "$T/fail-score.sh" <<STUB
#!/bin/bash
if [ "\$1" = score ]; then
  while [ \$# -gt 0 ]; do [ "\$1" = --out ] && echo half-written > "\$2.tmp"; shift; done
  exit 5
fi
exec "$CS" "\$@"
STUB
chmod +x "$T/fail-score.sh"
CHURNSCORE="$T/fail-score.sh" expect_rc 5 "stopped at step score" --force-rerun --month 2026-10 --snapshot "$T/m1-copy.h5" \
  --model "$R/2026-10/model.h5" --runs "$R"
same_runs "a failed --force-rerun (score)"
[ "$(readlink "$R/2026-10/snapshot.h5")" = "$T/m1.h5" ] || fail "the failed rerun repointed snapshot.h5"
[ ! -e "$R/.archive" ] || fail "a failed rerun archived the month"

# a completed --force-rerun of month 2 (now against month 1's labels, --outcomes): the old month 2 is
# archived byte for byte; the evaluation of month 1's lists, after the failed reruns of month 1,
# still has the figures of month 1 as it completed
old2=$(tree_sum "$R/2026-11")
# (--snapshot names the month's own snapshot.h5 link: the rerun records the file it resolves to)
month f2 --force-rerun --month 2026-11 --snapshot "$R/2026-11/snapshot.h5" --outcomes "$T/m1.h5" --runs "$R" || { cat "$T/f2.log"; fail "--force-rerun of month 2"; }
[ "$(readlink "$R/2026-11/snapshot.h5")" = "$T/m2.h5" ] || fail "--force-rerun of month 2: snapshot.h5 -> $(readlink "$R/2026-11/snapshot.h5")"
arch2=$(ls -d "$R"/.archive/2026-11.* 2>/dev/null)
[ "$(echo "$arch2" | wc -w)" = 1 ] || fail "--force-rerun of month 2: one archived copy expected, found '$arch2'"
[ "$(tree_sum "$arch2")" = "$old2" ] || { diff <(echo "$old2") <(tree_sum "$arch2"); fail "the archived month 2 differs from month 2 as it was"; }
grep -q "archived in $arch2" "$T/f2.log" || fail "--force-rerun of month 2: no message on the archive"
grep -q '"outcome": "churned label of the outcome snapshot"' "$R/2026-11/evaluation.json" || fail "--outcomes not used"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "evaluation after the failed reruns of month 1"
cmp <(cut -d, -f1-12 "$arch2/evaluation.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "the rerun's evaluation differs from the archived one"
diff -r "$arch2/lists" "$R/2026-11/lists" || fail "the rerun of month 2 changed its lists"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest after the rerun of month 2"
ls "$T"/pub/.archive/2026-11.*/summary.json > /dev/null 2>&1 || fail "the copy published before was not archived"

# a completed --force-rerun of month 1 with another model (--l2 5): month 1 is archived byte for
# byte, latest stays at month 2, and month 2 keeps the model it scored with
old1=$(tree_sum "$R/2026-10")
new2=$(tree_sum "$R/2026-11")
CS_TRAIN_OPTS="--l2 5" month f1 --force-rerun --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R" \
  || { cat "$T/f1.log"; fail "--force-rerun of month 1"; }
arch1=$(ls -d "$R"/.archive/2026-10.*)
[ "$(tree_sum "$arch1")" = "$old1" ] || fail "the archived month 1 differs from month 1 as it was"
! cmp -s "$R/2026-10/model.h5" "$arch1/model.h5" || fail "--l2 5 should have trained another model"
[ "$(tree_sum "$R/2026-11")" = "$new2" ] || fail "the rerun of month 1 changed month 2"
cmp "$R/2026-11/model.h5" "$arch1/model.h5" || fail "month 2's model is no longer the one it scored with"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved back to an older month"
grep -q "latest stays at the later month 2026-11" "$T/f1.log" || fail "no message on latest staying"
grep -q "the later months 2026-11 keep what they used" "$T/f1.log" || fail "no note on the later month"

# month 3 with a failing train step: no scoring, month 2 and latest untouched
cp -r "$R/2026-11/lists" "$T/lists2"
rc=0; month m3 --month 2026-12 --snapshot "$T/m3.h5" --train "$T/junk.h5" --runs "$R" || rc=$?
[ $rc = 4 ] || { cat "$T/m3.log"; fail "failing train: exit $rc, expected 4 (format error)"; }
grep -q "stopped at step train" "$T/m3.log" || fail "no message on the failed step"
[ ! -e "$R/2026-12" ] || fail "month 3 went on after train failed"
[ -s "$R/.staging/2026-12/logs/train.log" ] && [ ! -e "$R/.staging/2026-12/logs/score.log" ] || fail "score ran after train failed"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved after a failed month"
diff -r "$T/lists2" "$R/2026-11/lists" || fail "month 2's lists changed"
[ ! -e "$T/pub/2026-12" ] || fail "a failed month was published"

# one run of a month at a time: a run in progress holds RUNS/.staging/YYYY-MM.lock
exec {lockfd}>>"$R/.staging/2026-12.lock"
flock -n "$lockfd" || fail "cannot take the month's lock"
expect_rc 75 "another run of month 2026-12 is in progress" --month 2026-12 --snapshot "$T/m3.h5" --runs "$R"
exec {lockfd}>&-
[ -s "$R/.staging/2026-12/logs/train.log" ] || fail "a refused run touched the staged month"

# another run completes the month while this one is scoring (stood in for by a wrapper that writes
# the other run's month.json): export refuses to replace it (73) and keeps its results staged
cat > "$T/race.sh" <<STUB
#!/bin/bash
if [ "\$1" = score ] && [ "\$OMPI_COMM_WORLD_RANK" = 0 ]; then mkdir -p "$T/race/2026-10" && echo '{"by": "the other run"}' > "$T/race/2026-10/month.json"; fi
exec "$CS" "\$@"
STUB
chmod +x "$T/race.sh"
CHURNSCORE="$T/race.sh" expect_rc 73 "was completed in $T/race/2026-10 by another run" --month 2026-10 --snapshot "$T/m1.h5" \
  --model "$R/2026-10/model.h5" --runs "$T/race"
[ "$(cat "$T/race/2026-10/month.json")" = '{"by": "the other run"}' ] && [ ! -e "$T/race/latest" ] \
  && [ -f "$T/race/.staging/2026-10/scores.h5" ] || fail "the race: the other run's month was replaced"

# a month that arrives as CSV: the import step runs first and writes the month's own snapshot.h5,
# --like the previous month's snapshot; --snapshot gets it when the month completes. churnscore
# import is stood in for by a wrapper that records its arguments and writes the next generated
# month, so this checks the chain's plumbing, not the importer.
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
grep -q "steps:    import score analyze evaluate export" "$T/m3c.log" || fail "month 3 from CSV: steps"
grep -q -- "--out $R/.staging/2026-12/snapshot.h5 --month 2026-12 --csv $T/extract.csv --like $(readlink -f "$T/m2.h5")" "$T/import-args.txt" \
  || { cat "$T/import-args.txt"; fail "import arguments"; }
[ "$(readlink "$R/latest")" = 2026-12 ] && [ -f "$R/2026-12/evaluation.json" ] || fail "month 3 from CSV did not complete"
[ -f "$R/2026-12/snapshot.h5" ] && [ ! -L "$R/2026-12/snapshot.h5" ] && [ "$T/m3csv.h5" -ef "$R/2026-12/snapshot.h5" ] \
  || fail "month 3 from CSV: snapshot.h5 should be the month's file, and --snapshot the same file"

# masked lists cannot be evaluated: the next month says so and completes without an evaluation
CS_SCORE_OPTS="--mask-ids" month k1 --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$T/masked" \
  || { cat "$T/k1.log"; fail "month with masked lists"; }
month k2 --month 2026-11 --snapshot "$T/m2.h5" --runs "$T/masked" || { cat "$T/k2.log"; fail "month after masked lists"; }
grep -q "evaluate: skipped (the lists of 2026-10 have masked ids" "$T/k2.log" || fail "masked lists: no notice"
[ "$(readlink "$T/masked/latest")" = 2026-11 ] && [ ! -e "$T/masked/2026-11/evaluation.json" ] || fail "masked lists: month 2"

# arguments
expect_rc 64 "--month YYYY-MM is required" --snapshot "$T/m1.h5" --runs "$R"
expect_rc 64 "is not YYYY-MM" --month 2026-13 --snapshot "$T/m1.h5" --runs "$R"
expect_rc 64 "unknown argument '--bogus'" --month 2026-10 --bogus
expect_rc 64 "exclude each other" --month 2027-01 --snapshot "$T/m3.h5" --runs "$R" --train "$T/m1.h5" --model "$T/m1.h5"
expect_rc 64 "--csv is given twice" --month 2027-01 --csv "$T/extract.csv" --csv "$T/extract.csv" --snapshot "$T/x.h5" --runs "$R"
expect_rc 66 "does not exist" --month 2027-01 --snapshot "$T/nothere.h5" --runs "$R"
expect_rc 66 "no model to reuse" --month 2026-10 --snapshot "$T/m1.h5" --runs "$T/empty-runs"
bash "$RM" --help | has "73 the month is complete" || fail "--help"
echo "run-month: months chained and evaluated; killed/timed-out/crashed steps 75/75/70 moved nothing; reruns of complete months refused (73) byte-identical; month mismatch 65; failed --force-rerun left the month byte-identical; --force-rerun archived it"

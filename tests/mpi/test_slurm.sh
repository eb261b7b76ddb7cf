#!/bin/bash
# The monthly chain under a real Slurm (scripts/slurm/start-slurm.sh: slurmctld + slurmd + munge on
# this machine, installed by the script when missing, which needs root). Two generated months go
# through jobs/submit-month.sh --wait: month 1 trains, scores and exports as three dependent jobs;
# month 2 reuses the model and evaluates month 1's lists. Then a month whose train step fails (a
# --train file that is not a snapshot): submit-month.sh returns the step's exit code, Slurm cancels
# score, evaluate and export (afterok + --kill-on-invalid-dep), and month 2's lists and `latest` stay.
# Slurm is stopped on exit when this test started it. Skipped (77) without root and without a
# running Slurm.
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SL="$SRC/scripts/slurm"
SUBMIT="$SRC/jobs/submit-month.sh"
started=0
cleanup() {
  if [ $started = 1 ]; then bash "$SL/stop-slurm.sh" > "$T/stop.log" 2>&1 || cat "$T/stop.log"; fi
  rm -rf "$T"
}
trap cleanup EXIT
if ! { command -v scontrol > /dev/null && timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; }; then
  if [ "$(id -u)" != 0 ]; then echo "SKIP: no Slurm running and not root (start-slurm.sh needs root)"; exit 77; fi
  started=1
  SLURM_CI_CPUS=4 timeout 400 bash "$SL/start-slurm.sh" > "$T/start.log" 2>&1 || { cat "$T/start.log"; fail "start-slurm.sh"; }
fi
export CHURNSCORE=$CS CS_RANKS=2 CS_POLL_SECONDS=1 CS_TIME=00:10:00 CS_PARTITION="" CS_PUBLISH_DIR=""
R="$T/runs"
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 20000 --regions 4 --seed 5 --month 2026-10 --quiet || fail "generate m1"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate m2"
run 2 "$CS" generate --follows "$T/m2.h5" --out "$T/m3.h5" --quiet || fail "generate m3"
state() { scontrol show job -o "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
submit() { # submit LOG ARGS...: submit-month.sh --wait, output kept, exit code returned
  local log=$1 rc=0; shift
  timeout 500 bash "$SUBMIT" "$@" --wait > "$T/$log.log" 2>&1 || rc=$?
  return $rc
}

# month 1: train -> score -> export
submit s1 --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R" \
  || { cat "$T/s1.log" "$R"/2026-10/logs/*; fail "month 1 under Slurm"; }
[ "$(cut -d' ' -f1 "$R/2026-10/jobs.txt" | tr '\n' ' ')" = "train score export " ] || fail "month 1 steps: $(cat "$R/2026-10/jobs.txt")"
while read -r step id; do
  [ "$(state "$id")" = COMPLETED ] || fail "month 1 $step job $id: $(state "$id")"
  [ -s "$R/2026-10/logs/$step-$id.out" ] || fail "no log of $step"
done < "$R/2026-10/jobs.txt"
grep -q "2 tasks" "$R/2026-10/logs/train-"*.out || fail "train did not get 2 tasks"
grep -q "(2 ranks, srun)" "$R/2026-10/logs/score-"*.out || fail "score not launched by srun"
for f in model.h5 scores.h5 lists/summary.json report.md month.json; do [ -f "$R/2026-10/$f" ] || fail "month 1: $f missing"; done
[ "$(readlink "$R/latest")" = 2026-10 ] || fail "latest after month 1"

# month 2: score with month 1's model -> evaluate month 1's lists -> export
submit s2 --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" \
  || { cat "$T/s2.log" "$R"/2026-11/logs/*; fail "month 2 under Slurm"; }
[ "$(cut -d' ' -f1 "$R/2026-11/jobs.txt" | tr '\n' ' ')" = "score evaluate export " ] || fail "month 2 steps"
[ "$(readlink "$R/2026-11/model.h5")" = ../2026-10/model.h5 ] || fail "month 2 should reuse month 1's model"
for f in scores.h5 lists/summary.json report.md month.json evaluation.csv evaluation.json evaluation.md; do
  [ -f "$R/2026-11/$f" ] || fail "month 2: $f missing"
done
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest after month 2"
grep -q "all regions" "$R/2026-11/logs/evaluate-"*.out || fail "evaluate printed no table"
run 2 "$CS" evaluate --lists "$R/2026-10/lists" --outcomes "$T/m1.h5" --out "$T/direct" > /dev/null 2>&1 || fail "direct evaluate"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "the chain's evaluation differs from month 1's labels"
cp -r "$R/2026-11/lists" "$T/lists2"

# month 3: the train step fails; the rest of the chain is cancelled; nothing moves
echo "not a snapshot" > "$T/junk.h5"
rc=0; submit s3 --month 2026-12 --snapshot "$T/m3.h5" --train "$T/junk.h5" --runs "$R" || rc=$?
[ $rc = 4 ] || { cat "$T/s3.log"; fail "failing train: submit-month.sh --wait returned $rc, expected 4"; }
[ "$(cut -d' ' -f1 "$R/2026-12/jobs.txt" | tr '\n' ' ')" = "train score evaluate export " ] || fail "month 3 steps"
while read -r step id; do
  want=CANCELLED; [ "$step" = train ] && want=FAILED
  [ "$(state "$id")" = $want ] || fail "month 3 $step job $id: $(state "$id"), expected $want"
done < "$R/2026-12/jobs.txt"
grep -q "not an HDF5 file" "$R/2026-12/logs/train-"*.out || fail "the train log lacks the reason"
ls "$R"/2026-12/logs/score-* > /dev/null 2>&1 && fail "score ran after train failed"
[ ! -e "$R/2026-12/scores.h5" ] && [ ! -e "$R/2026-12/month.json" ] || fail "month 3 left outputs"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved after a failed month"
diff -r "$T/lists2" "$R/2026-11/lists" || fail "month 2's lists changed"

# bad arguments are refused before anything is submitted
rc=0; bash "$SUBMIT" --month 2027-01 --snapshot "$T/nothere.h5" --runs "$R" > "$T/bad.log" 2>&1 || rc=$?
[ $rc = 66 ] || { cat "$T/bad.log"; fail "missing snapshot: exit $rc, expected 66"; }
[ ! -e "$R/2027-01/jobs.txt" ] || fail "jobs submitted for a missing snapshot"
echo "slurm: two-month chain completed under Slurm; a failed train cancelled the rest and moved nothing"

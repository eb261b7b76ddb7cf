#!/bin/bash
# The monthly chain under a real Slurm: a private one of this test's own (scripts/slurm/start-slurm.sh:
# slurmctld + slurmd + munged with config, key, ports and state under the temporary directory, nothing
# under /etc; it installs the Slurm packages when missing, saying so first, which needs root). Two
# generated months go through jobs/submit-month.sh --wait: month 1 trains, scores and exports as three
# dependent jobs; month 2 reuses the model and evaluates month 1's lists. Then a month whose train step
# fails (a --train file that is not a snapshot): submit-month.sh returns the step's exit code, Slurm
# cancels score, evaluate and export (afterok + --kill-on-invalid-dep), and month 2's lists and
# `latest` stay. A month whose score job is killed fails with 75 (a second submission while it runs is
# refused, 75) and completes when submitted again. History: a rerun of a complete month is refused
# (73) and a snapshot of another month (65) before any job is submitted, and the complete month stays
# byte-identical. The --memory default inside a job of --mem-per-cpu=500M comes from those 500M (the
# log says so) and a job that cannot fit it is refused (2). A month submitted by the installed jobs/
# (cmake --install into a prefix) runs the installed binary. The private Slurm is stopped on exit.
# Skipped (77) without root, and where the machine's own Slurm answers (a login node: the test would
# run beside it) unless CS_TEST_SLURM_ALONGSIDE=1.
source "$(dirname "$0")/common.sh"
CS=$(readlink -f "$CS")  # the wrappers below run in other directories
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SL="$SRC/scripts/slurm"
SUBMIT="$SRC/jobs/submit-month.sh"
bg=""
export SLURM_CI_DIR="$T/slurm"
cleanup() {
  # a submit-month.sh --wait left in the background by a failed check
  if [ -n "$bg" ] && kill -0 "$bg" 2>/dev/null; then kill "$bg" 2>/dev/null; fi
  if [ -s "$SLURM_CI_DIR/pids" ]; then bash "$SL/stop-slurm.sh" > "$T/stop.log" 2>&1 || cat "$T/stop.log"; fi
  rm -rf "$T"
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ]; then echo "SKIP: not root (start-slurm.sh starts munged, slurmctld and slurmd)"; exit 77; fi
if command -v scontrol > /dev/null && env -u SLURM_CONF timeout 5 scontrol ping 2>/dev/null | has 'is UP'; then
  if [ "${CS_TEST_SLURM_ALONGSIDE:-0}" != 1 ]; then
    echo "SKIP: a Slurm already answers on this machine; this test would start its own beside it (CS_TEST_SLURM_ALONGSIDE=1 to run it anyway; the running Slurm is not touched)"
    exit 77
  fi
  export SLURM_CI_ALONGSIDE=1
fi
SLURM_CI_CPUS=4 timeout 400 bash "$SL/start-slurm.sh" > "$T/start.log" 2>&1 || { cat "$T/start.log"; fail "start-slurm.sh"; }
grep "installing" "$T/start.log" || true
# shellcheck source=/dev/null
. "$SLURM_CI_DIR/env"
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
[ "$(cut -d' ' -f1 "$R/2026-10/jobs.txt" | tr '\n' ' ')" = "train score analyze export " ] || fail "month 1 steps: $(cat "$R/2026-10/jobs.txt")"
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
[ "$(cut -d' ' -f1 "$R/2026-11/jobs.txt" | tr '\n' ' ')" = "score analyze evaluate export " ] || fail "month 2 steps"
[ ! -L "$R/2026-11/model.h5" ] && [ "$R/2026-11/model.h5" -ef "$R/2026-10/model.h5" ] || fail "month 2 should reuse month 1's model (a hard link)"
for f in scores.h5 lists/summary.json report.md month.json evaluation.csv evaluation.json evaluation.md; do
  [ -f "$R/2026-11/$f" ] || fail "month 2: $f missing"
done
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest after month 2"
grep -q "all regions" "$R/2026-11/logs/evaluate-"*.out || fail "evaluate printed no table"
# (groups from month 1's scores.h5, as the chain's evaluate step passes them since issue 15)
run 2 "$CS" evaluate --lists "$R/2026-10/lists" --outcomes "$T/m1.h5" --scores "$R/2026-10/scores.h5" --out "$T/direct" > /dev/null 2>&1 || fail "direct evaluate"
cmp <(cut -d, -f1-12 "$T/direct.csv") <(cut -d, -f1-12 "$R/2026-11/evaluation.csv") || fail "the chain's evaluation differs from month 1's labels"
cp -r "$R/2026-11/lists" "$T/lists2"

# a complete month is history: a rerun is refused (73), and so is a snapshot of another month (65),
# both before anything is submitted; every byte and link of the month stays
sums() { (cd "$R/2026-10" && find . -type f -o -type l | LC_ALL=C sort | while read -r p; do
  printf '%s %s %s\n' "$p" "$(readlink "$p")" "$(sha256sum < "$p" | cut -c1-64)"; done); }
before=$(sums)
rc=0; submit h1 --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R" || rc=$?
[ $rc = 73 ] && grep -q "already complete" "$T/h1.log" || { cat "$T/h1.log"; fail "rerun of a complete month: exit $rc, expected 73"; }
rc=0; submit h2 --month 2026-12 --snapshot "$T/m2.h5" --runs "$R" || rc=$?
[ $rc = 65 ] && grep -q "month attribute is '2026-11'" "$T/h2.log" || { cat "$T/h2.log"; fail "month mismatch: exit $rc, expected 65"; }
[ ! -e "$R/.staging/2026-10" ] && [ ! -e "$R/.staging/2026-12" ] || fail "a refused month was staged"
[ "$(sums)" = "$before" ] && [ "$(readlink "$R/latest")" = 2026-11 ] || fail "a refused rerun changed month 1 or latest"

# month 3: the train step fails; the rest of the chain is cancelled; nothing moves
echo "not a snapshot" > "$T/junk.h5"
rc=0; submit s3 --month 2026-12 --snapshot "$T/m3.h5" --train "$T/junk.h5" --runs "$R" || rc=$?
[ $rc = 4 ] || { cat "$T/s3.log"; fail "failing train: submit-month.sh --wait returned $rc, expected 4"; }
S3="$R/.staging/2026-12"  # where an unfinished month stays
[ "$(cut -d' ' -f1 "$S3/jobs.txt" | tr '\n' ' ')" = "train score analyze evaluate export " ] || fail "month 3 steps"
while read -r step id; do
  want=CANCELLED; [ "$step" = train ] && want=FAILED
  [ "$(state "$id")" = $want ] || fail "month 3 $step job $id: $(state "$id"), expected $want"
done < "$S3/jobs.txt"
grep -q "not an HDF5 file" "$S3/logs/train-"*.out || fail "the train log lacks the reason"
ls "$S3"/logs/score-* > /dev/null 2>&1 && fail "score ran after train failed"
[ ! -e "$R/2026-12" ] || fail "month 3 left outputs"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved after a failed month"
diff -r "$T/lists2" "$R/2026-11/lists" || fail "month 2's lists changed"

# month 3 again, its score job killed while running (scancel): --wait returns 75, evaluate and
# export are cancelled, nothing moves; submitting the month again finishes it over the killed job's
# half-written scores.h5.tmp. The first score run is made to hang by a wrapper around churnscore.
cat > "$T/hang-once.sh" <<STUB
#!/bin/bash
if [ "\$1" = score ] && mkdir "$T/hung" 2>/dev/null; then
  while [ \$# -gt 0 ]; do [ "\$1" = --out ] && echo half-written > "\$2.tmp"; shift; done
  sleep 300
fi
exec "$CS" "\$@"
STUB
chmod +x "$T/hang-once.sh"
rc=0
CHURNSCORE="$T/hang-once.sh" timeout 500 bash "$SUBMIT" --month 2026-12 --snapshot "$T/m3.h5" --runs "$R" --wait \
  > "$T/s4.log" 2>&1 &
bg=$!
for _ in $(seq 1 120); do
  [ -d "$T/hung" ] && [ -f "$S3/scores.h5.tmp" ] && break
  sleep 0.5
done
[ -d "$T/hung" ] || fail "the score job of month 3 did not start"
score_id=$(awk '$1 == "score" {print $2}' "$S3/jobs.txt")
# while its chain is in flight, the month cannot be submitted again (75), and the chain is untouched
rc=0; bash "$SUBMIT" --month 2026-12 --snapshot "$T/m3.h5" --runs "$R" > "$T/busy.log" 2>&1 || rc=$?
[ $rc = 75 ] && grep -q "still queued or running" "$T/busy.log" || { cat "$T/busy.log"; fail "a second submission of a month in flight: exit $rc, expected 75"; }
[ -f "$S3/scores.h5.tmp" ] && [ "$(state "$score_id")" = RUNNING ] || fail "the refused submission disturbed the chain in flight"
scancel "$score_id"
wait $bg || rc=$?
[ $rc = 75 ] || { cat "$T/s4.log"; fail "killed score: submit-month.sh --wait returned $rc, expected 75"; }
[ "$(state "$score_id")" = CANCELLED ] || fail "score job: $(state "$score_id")"
[ "$(readlink "$R/latest")" = 2026-11 ] || fail "latest moved after a killed month"
[ ! -e "$R/2026-12" ] || fail "the killed month looks complete"
CHURNSCORE="$T/hang-once.sh" submit s5 --month 2026-12 --snapshot "$T/m3.h5" --runs "$R" \
  || { cat "$T/s5.log" "$S3"/logs/*; fail "rerun of the killed month"; }
[ "$(readlink "$R/latest")" = 2026-12 ] || fail "latest after the rerun of month 3"
[ -f "$R/2026-12/evaluation.json" ] || fail "month 3 not evaluated"
[ -z "$(find "$R" -name '*.tmp')" ] && [ ! -e "$S3" ] || { find "$R" -name '*.tmp'; fail "temporary files left after the rerun"; }
[ "$(sums)" = "$before" ] || fail "month 3 changed month 1"

# the --memory default inside a job of --mem-per-cpu=500M: 500M less 10% and 64M = 386M, from
# SLURM_MEM_PER_CPU; a job whose block buffers alone take more is refused with the usual message (2).
# (Inside sbatch/salloc: a bare `srun --mem-per-cpu` that makes its own allocation puts no memory
# into the tasks' environment in Slurm 22.05.)
cat > "$T/mem.sh" <<EOF
#!/bin/bash
srun --mpi=pmix "$CS" score --in "$T/m1.h5" --model "$R/2026-10/model.h5" --out "$T/mem.h5" --lists "$T/memL" "\$@"
EOF
rc=0; timeout 200 sbatch --wait --ntasks=2 --mem-per-cpu=500M --output="$T/mem1.out" "$T/mem.sh" > /dev/null || rc=$?
[ $rc = 0 ] || { cat "$T/mem1.out"; fail "score inside --mem-per-cpu=500M: exit $rc"; }
grep -q "score: memory budget 386M per rank (Slurm job [0-9]*: SLURM_MEM_PER_CPU=500M x SLURM_CPUS_PER_TASK=1 = 500M per task" "$T/mem1.out" \
  || { cat "$T/mem1.out"; fail "the budget inside --mem-per-cpu=500M is not said to come from it"; }
grep -q -- "--memory 404750336" "$T/mem1.out" || { cat "$T/mem1.out"; fail "the lists were not planned with the 386M budget"; }
rm -rf "$T/mem.h5" "$T/memL"
rc=0; timeout 200 sbatch --wait --ntasks=2 --mem-per-cpu=500M --output="$T/mem2.out" "$T/mem.sh" --block-rows 16000000 > /dev/null || rc=$?
[ $rc = 2 ] || { cat "$T/mem2.out"; fail "a job over the 386M budget: exit $rc, expected 2"; }
[ "$(grep -c 'churnscore: error: rank 0: the block buffers of --block-rows [0-9]* take [0-9]* bytes, over --memory 404750336' "$T/mem2.out")" = 1 ] \
  || { cat "$T/mem2.out"; fail "the refusal over the Slurm budget lacks its one message"; }
[ ! -e "$T/mem.h5" ] && [ ! -e "$T/mem.h5.tmp" ] && [ ! -e "$T/memL" ] || fail "the refused job left output"
# a --memory given wins over the job's
rc=0; timeout 200 sbatch --wait --ntasks=2 --mem-per-cpu=500M --output="$T/mem3.out" "$T/mem.sh" --memory 100M > /dev/null || rc=$?
[ $rc = 0 ] && grep -q "score: memory budget 100M per rank (--memory)" "$T/mem3.out" || { cat "$T/mem3.out"; fail "--memory did not override the Slurm budget"; }

# the installed chain: jobs/ from an install prefix finds the installed binary by itself
P="$T/prefix"
cmake --install "$BUILD" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }
rc=0; env -u CHURNSCORE timeout 500 bash "$P/share/churnscore/jobs/submit-month.sh" --month 2026-10 --snapshot "$T/m1.h5" \
  --train "$T/m1.h5" --runs "$T/runs-installed" --wait > "$T/inst.log" 2>&1 || rc=$?
[ $rc = 0 ] || { cat "$T/inst.log"; fail "a month from the installed jobs/: exit $rc"; }
grep -qx "CS_CHURNSCORE=$P/bin/churnscore" "$T/runs-installed/2026-10/plan.env" \
  || { cat "$T/runs-installed/2026-10/plan.env"; fail "the installed jobs/ did not use $P/bin/churnscore"; }
[ "$(readlink "$T/runs-installed/latest")" = 2026-10 ] || fail "latest of the installed chain's month"

# bad arguments are refused before anything is submitted

rc=0; bash "$SUBMIT" --month 2027-01 --snapshot "$T/nothere.h5" --runs "$R" > "$T/bad.log" 2>&1 || rc=$?
[ $rc = 66 ] || { cat "$T/bad.log"; fail "missing snapshot: exit $rc, expected 66"; }
[ ! -e "$R/2027-01/jobs.txt" ] || fail "jobs submitted for a missing snapshot"
echo "slurm: two-month chain under a private Slurm; reruns of a complete month refused (73, 65) before submission; a failed train cancelled the rest and moved nothing; a killed month finished on resubmission; --memory from --mem-per-cpu=500M (386M) and a job over it refused (2); a month from the installed jobs/ ran the installed binary"

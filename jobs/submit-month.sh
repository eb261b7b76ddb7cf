#!/bin/bash
# submit-month.sh — submits one month of churn scoring to Slurm as a chain of dependent jobs.
#
#   jobs/submit-month.sh --month 2026-11 --snapshot /data/2026-11.h5 --runs /proj/churn/runs \
#       [--train LABELLED.h5 | --model MODEL.h5] [--outcomes LABELLED_PREV.h5] [--csv FILE] \
#       [--ranks R] [--time T] [--mem M] [--force-rerun] [--wait]
#
# The plan (jobs/month-steps.sh) is checked — a complete month is refused without --force-rerun, the
# snapshot's month must be --month — and written to RUNS/.staging/YYYY-MM/plan.env and printed; then
# each step is one job (jobs/<step>.sbatch, run in the staging directory) that starts only after the
# previous one succeeded (--dependency=afterok); --kill-on-invalid-dep=yes makes Slurm cancel the
# rest of the chain when a step fails instead of leaving it pending forever. The last step, export,
# is the only one that swaps the month in as RUNS/YYYY-MM and moves RUNS/latest, so a failed, killed
# or cancelled month leaves every completed month and `latest` as they were. The job ids are printed
# ("step jobid" lines) and kept in jobs.txt of the staging directory (then of the month); with
# --wait the script returns when the chain has ended, with its exit status. Exit codes: see --help
# or docs/operations.md.
set -euo pipefail
MS_PROG="submit-month.sh"  # used in messages by month-steps.sh
# shellcheck source=month-steps.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/month-steps.sh"
ms_site
ms_parse_args "$@"
command -v sbatch >/dev/null 2>&1 || ms_die $MS_EX_UNAVAIL "sbatch not found: is this a Slurm login node? (scripts/run-month.sh runs a month without a scheduler)"
ms_plan

# Options common to every step; the site's values go on the command line, where they override the
# #SBATCH fallbacks of the batch scripts.
common=(--parsable --kill-on-invalid-dep=yes "--export=ALL,CS_JOBS_DIR=$MS_JOBS_DIR"
        "--chdir=$MS_STAGE" "--time=$MS_TIME")
[ -n "$CS_PARTITION" ] && common+=("--partition=$CS_PARTITION")
[ -n "$CS_ACCOUNT" ] && common+=("--account=$CS_ACCOUNT")
[ -n "$CS_QOS" ] && common+=("--qos=$CS_QOS")
[ -n "$MS_MEM" ] && common+=("--mem=$MS_MEM")
# shellcheck disable=SC2206
[ -n "$CS_SBATCH_EXTRA" ] && common+=($CS_SBATCH_EXTRA)

ids=()
cancel_submitted() {
    [ ${#ids[@]} -gt 0 ] && scancel "${ids[@]}" 2>/dev/null || true
}
prev_id=""
# jobs.txt grows one line per submitted job, so a run planned meanwhile sees every job in flight
: > "$MS_STAGE/jobs.txt"
for step in $CS_STEPS; do
    case $step in train|score|analyze|evaluate) ntasks=$MS_RANKS ;; *) ntasks=1 ;; esac
    args=("${common[@]}" "--job-name=cs-$MS_MONTH-$step" "--ntasks=$ntasks"
          "--output=$MS_STAGE/logs/$step-%j.out")
    [ -n "$prev_id" ] && args+=("--dependency=afterok:$prev_id")
    if ! out=$(sbatch "${args[@]}" "$MS_JOBS_DIR/$step.sbatch" "$MS_STAGE" 2>&1); then
        cancel_submitted
        ms_die $MS_EX_UNAVAIL "sbatch refused the $step step: $out (the steps submitted before were cancelled)"
    fi
    id=${out%%;*}  # --parsable prints "jobid" or "jobid;cluster"
    ids+=("$id")
    prev_id=$id
    printf '%s %s\n' "$step" "$id" | tee -a "$MS_STAGE/jobs.txt"
done
ms_log "submitted month $MS_MONTH: ${#ids[@]} jobs; logs in $MS_STAGE/logs/ (in $MS_RUN/logs/ once complete)"
# from here the jobs of jobs.txt, still queued or running, are what keeps another run of the month
# from starting (ms_chain_active), not the lock of the planning
exec {MS_LOCK_FD}>&-
[ "$MS_WAIT" = 1 ] || exit 0

# --wait: poll until every job of the chain has ended. scontrol keeps ended jobs for MinJobAge
# (300 s by default); sacct, where there is accounting, knows them for longer.
job_state() { # prints "STATE EXITCODE" of job $1, or nothing when the scheduler forgot it
    local line
    line=$(scontrol show job -o "$1" 2>/dev/null | head -1 || true)
    if [ -n "$line" ]; then
        printf '%s %s\n' "$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")" \
            "$(sed -n 's/.* ExitCode=\([0-9]*:[0-9]*\).*/\1/p' <<<"$line")"
    elif command -v sacct >/dev/null 2>&1; then
        sacct -n -X -P -j "$1" -o State,ExitCode 2>/dev/null | head -1 | awk -F'|' '{print $1, $2}' \
            | sed 's/^\([A-Z_]*\)[^ ]*/\1/'
    fi
}
terminal() { case $1 in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) return 0 ;; *) return 1 ;; esac; }
poll=${CS_POLL_SECONDS:-3}
while :; do
    all_done=1
    for id in "${ids[@]}"; do
        st=$(job_state "$id")
        s=${st%% *}
        [ -n "$s" ] || { ms_log "job $id is no longer known to Slurm"; s=UNKNOWN; }
        # a site that ignores --kill-on-invalid-dep leaves the rest of a failed chain pending
        if [ "$s" = PENDING ] && scontrol show job -o "$id" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied'; then
            ms_log "job $id can never start (a step before it failed): cancelling it"
            scancel "$id" 2>/dev/null || true
        fi
        if [ "$s" != UNKNOWN ] && ! terminal "$s"; then all_done=0; break; fi
    done
    [ $all_done = 1 ] && break
    sleep "$poll"
done
rc=0
i=0
for step in $CS_STEPS; do
    id=${ids[$i]}
    i=$((i + 1))
    st=$(job_state "$id")
    s=${st%% *} code=${st#* }
    ms_log "  $step $id ${s:-UNKNOWN} (exit ${code:-?})"
    [ $rc = 0 ] || continue
    case $s in
        COMPLETED) ;;
        # the job's exit code is the step's (ms_launch_rc already mapped kills and crashes); a
        # batch script ended by a signal reports 0:SIG; anything else undocumented is mapped here
        FAILED) c=${code%%:*}
                case ${c:-x} in
                    [1-8]|64|65|66|69|70|73|75) rc=$c ;;
                    0|x) rc=$MS_EX_TEMPFAIL ;;
                    *) ms_launch_rc "$c" || rc=$? ;;
                esac ;;
        *) rc=$MS_EX_TEMPFAIL ;;  # cancelled, timed out, out of memory, node failure, unknown: rerun to finish
    esac
done
if [ $rc = 0 ]; then
    ms_log "month $MS_MONTH complete in $MS_RUN: $(readlink "$MS_RUNS/latest" 2>/dev/null | sed "s|^|$MS_RUNS/latest -> |")"
else
    ms_log "month $MS_MONTH did not complete (exit $rc): no completed month changed, $MS_RUNS/latest ->" \
        "$(readlink "$MS_RUNS/latest" 2>/dev/null || echo none); the jobs' logs are in $MS_STAGE/logs/"
fi
exit $rc

#!/bin/bash
# run-month.sh — one month of churn scoring on a workstation, without a scheduler.
#
#   scripts/run-month.sh --month 2026-11 --snapshot 2026-11.h5 --runs runs \
#       [--train LABELLED.h5 | --model MODEL.h5] [--outcomes LABELLED_PREV.h5] [--csv FILE] \
#       [--ranks R] [--force-rerun]
#
# The same arguments, plan and steps as jobs/submit-month.sh (both use jobs/month-steps.sh), run one
# after the other with plain mpirun (CS_MPIRUN, default "mpirun"; e.g. CS_MPIRUN="mpirun
# --oversubscribe" for more ranks than cores). The steps write into RUNS/.staging/YYYY-MM, which the
# last step swaps in as RUNS/YYYY-MM; the first failing step stops the month with its exit code and
# leaves every completed month and RUNS/latest as they were; running the same command again
# finishes the month. A complete month is refused (exit 73) unless --force-rerun. The run holds
# RUNS/.staging/YYYY-MM.lock until it ends, so a second run of the month is refused (75) meanwhile.
# --time, --mem and --wait are accepted for symmetry and ignored. Each step's output goes to the
# terminal and to logs/<step>.log in the month's directory. Exit codes: see --help or
# docs/operations.md.
set -euo pipefail
MS_PROG="run-month.sh"  # used in messages by month-steps.sh
# shellcheck source=../jobs/month-steps.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../jobs" && pwd)/month-steps.sh"
ms_site
ms_parse_args "$@"
ms_plan
ms_load_plan "$MS_STAGE"
MS_LAUNCHER=mpirun
# Interrupted (Ctrl-C reaches the running step too; a signal to this script alone is handled when
# the running step has ended): unless that step was an export that completed the month (the staging
# directory is gone), nothing of the month moved, and 75 says "run again".
ms_interrupted() {
    if [ ! -e "$MS_STAGE" ] && [ -f "$MS_RUN/month.json" ]; then
        ms_log "month $MS_MONTH interrupted after it completed"
        exit 0
    fi
    ms_log "month $MS_MONTH interrupted: no completed month changed, $MS_RUNS/latest ->" \
        "$(readlink "$MS_RUNS/latest" 2>/dev/null || echo none)"
    exit $MS_EX_TEMPFAIL
}
trap ms_interrupted INT TERM HUP
for step in $CS_STEPS; do
    # the step runs in the pipeline's subshell: it only reads the plan. Its log is opened in the
    # staging directory, and export moves that directory (open files and all) into place.
    ms_run_step "$step" 2>&1 | tee "$MS_STAGE/logs/$step.log" && rc=0 || rc=${PIPESTATUS[0]}
    if [ $rc != 0 ]; then
        ms_log "month $MS_MONTH stopped at step $step (exit $rc): no completed month changed," \
            "$MS_RUNS/latest -> $(readlink "$MS_RUNS/latest" 2>/dev/null || echo none); this run's" \
            "outputs and logs are in $MS_STAGE (removed by the next run of the month)"
        exit $rc
    fi
done

#!/bin/bash
# run-month.sh — one month of churn scoring on a workstation, without a scheduler.
#
#   scripts/run-month.sh --month 2026-11 --snapshot 2026-11.h5 --runs runs \
#       [--train LABELLED.h5 | --model MODEL.h5] [--outcomes LABELLED_PREV.h5] [--csv FILE] \
#       [--ranks R]
#
# The same arguments, plan and steps as jobs/submit-month.sh (both use jobs/month-steps.sh), run one
# after the other with plain mpirun (CS_MPIRUN, default "mpirun"; e.g. CS_MPIRUN="mpirun
# --oversubscribe" for more ranks than cores). The first failing step stops the month with its exit
# code and leaves RUNS/latest where it was; running the same command again finishes the month.
# --time, --mem and --wait are accepted for symmetry and ignored. Each step's output goes to the
# terminal and to RUNS/YYYY-MM/logs/<step>.log. Exit codes: see --help or docs/operations.md.
set -euo pipefail
MS_PROG="run-month.sh"  # used in messages by month-steps.sh
# shellcheck source=../jobs/month-steps.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../jobs" && pwd)/month-steps.sh"
ms_site
ms_parse_args "$@"
ms_plan
ms_load_plan "$MS_RUN"
MS_LAUNCHER=mpirun
for step in $CS_STEPS; do
    # the step runs in the pipeline's subshell: it only reads the plan
    ms_run_step "$step" 2>&1 | tee "$MS_RUN/logs/$step.log" && rc=0 || rc=${PIPESTATUS[0]}
    if [ $rc != 0 ]; then
        ms_log "month $MS_MONTH stopped at step $step (exit $rc); $MS_RUNS/latest -> $(readlink "$MS_RUNS/latest" 2>/dev/null || echo none)"
        exit $rc
    fi
done

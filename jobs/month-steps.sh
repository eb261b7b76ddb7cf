# month-steps.sh — the monthly chain's logic, shared by the Slurm path (jobs/submit-month.sh and the
# jobs/*.sbatch steps) and the workstation path (scripts/run-month.sh). Sourced, never run.
#
# A month runs as up to five steps: import (when the month arrives as CSV), train (when --train is
# given), score, evaluate (last month's lists, when there is a last month) and export. The plan —
# which model, which previous month, which outcomes — is decided once, when the month is submitted,
# and written to RUNS/YYYY-MM/plan.env; each step reads it, so a job does exactly what was printed
# at submission, and a rerun of the month with the same arguments redoes the same steps. Every output
# is written under a temporary name and renamed when complete (churnscore does it for its files, the
# steps for theirs), and the month is complete only when export has written RUNS/YYYY-MM/month.json
# and moved RUNS/latest. See docs/operations.md, "Monthly operation".

MS_JOBS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MS_REPO=$(cd "$MS_JOBS_DIR/.." && pwd)

# Exit codes of the scripts (docs/operations.md). 1-8 are churnscore's own codes, passed through
# from the step that failed.
MS_EX_USAGE=64     # bad or missing arguments
MS_EX_NOINPUT=66   # an input file is missing, or there is no model to reuse
MS_EX_SOFTWARE=70  # a step failed without a churnscore code (a script, a copy, a rename)
MS_EX_UNAVAIL=69   # the scheduler refused or is unreachable
MS_EX_TEMPFAIL=75  # a step was killed, timed out or cancelled: submit the month again to finish it

ms_log() { printf '[%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >&2; }
ms_die() { local code=$1; shift; ms_log "error: $*"; exit "$code"; }

# Loads the site's settings (environment values win over the file's).
ms_site() {
    local conf=${CS_SITE_CONF:-$MS_JOBS_DIR/site.conf}
    [ -r "$conf" ] || ms_die $MS_EX_NOINPUT "site settings $conf cannot be read"
    # shellcheck source=site.conf
    source "$conf"
}

ms_usage() {
    cat <<EOF
usage: ${MS_PROG:-submit-month.sh} --month YYYY-MM --snapshot FILE --runs DIR [options]

  --month YYYY-MM     the month to run
  --snapshot FILE     the month's snapshot (with --csv: where import writes it)
  --runs DIR          the runs directory: DIR/YYYY-MM/ per month, DIR/latest -> the last complete one
  --train FILE        retrain on this labelled snapshot (otherwise reuse the model of the latest
                      completed month before this one)
  --model FILE        score with this model file instead (no retraining)
  --outcomes FILE     evaluate last month's lists against this labelled snapshot of last month
                      (default: against this month's snapshot, absent subscribers counting as leavers)
  --csv FILE          the month arrives as CSV: import FILE into --snapshot first
  --ranks R           MPI ranks of train, score and evaluate [site.conf: $CS_RANKS]
  --time T            time limit of each step (sbatch --time) [site.conf: $CS_TIME]
  --mem M             memory per node (sbatch --mem) [site.conf: ${CS_MEM:-partition default}]
  --wait              return when the chain ends, with its exit status (submit-month.sh)
  --help              this help

Exit codes: 0 done (or submitted), 1-8 churnscore's code of the failed step, 64 usage, 66 missing
input or no model, 69 scheduler unavailable, 70 a step's script failed, 75 a step was killed,
timed out or cancelled (submit again to finish the month).
EOF
}

# Parses the common arguments into MS_* variables.
ms_parse_args() {
    MS_MONTH="" MS_SNAPSHOT="" MS_RUNS="" MS_TRAIN="" MS_MODEL="" MS_OUTCOMES="" MS_WAIT=0
    MS_CSV=()
    MS_RANKS=$CS_RANKS MS_TIME=$CS_TIME MS_MEM=$CS_MEM
    while [ $# -gt 0 ]; do
        local opt=$1 val=${2-}
        case $opt in
            --help|-h) ms_usage; exit 0 ;;
            --wait) MS_WAIT=1; shift; continue ;;
            --month|--snapshot|--runs|--train|--model|--outcomes|--csv|--ranks|--time|--mem)
                [ $# -ge 2 ] || ms_die $MS_EX_USAGE "option $opt needs a value (see --help)" ;;
            *) ms_die $MS_EX_USAGE "unknown argument '$opt' (see --help)" ;;
        esac
        case $opt in
            --month) MS_MONTH=$val ;;
            --snapshot) MS_SNAPSHOT=$val ;;
            --runs) MS_RUNS=$val ;;
            --train) MS_TRAIN=$val ;;
            --model) MS_MODEL=$val ;;
            --outcomes) MS_OUTCOMES=$val ;;
            --csv) [ ${#MS_CSV[@]} = 0 ] || ms_die $MS_EX_USAGE "--csv is given twice: churnscore import reads one extract a month (concatenate them first)"
                   MS_CSV+=("$val") ;;
            --ranks) MS_RANKS=$val ;;
            --time) MS_TIME=$val ;;
            --mem) MS_MEM=$val ;;
        esac
        shift 2
    done
    [ -n "$MS_MONTH" ] || ms_die $MS_EX_USAGE "--month YYYY-MM is required"
    [[ $MS_MONTH =~ ^[0-9]{4}-(0[1-9]|1[0-2])$ ]] || ms_die $MS_EX_USAGE "--month '$MS_MONTH' is not YYYY-MM"
    [ -n "$MS_SNAPSHOT" ] || ms_die $MS_EX_USAGE "--snapshot FILE is required"
    [ -n "$MS_RUNS" ] || ms_die $MS_EX_USAGE "--runs DIR is required"
    [[ $MS_RANKS =~ ^[1-9][0-9]*$ ]] || ms_die $MS_EX_USAGE "--ranks '$MS_RANKS' is not a positive count"
    [ -z "$MS_TRAIN" ] || [ -z "$MS_MODEL" ] || ms_die $MS_EX_USAGE "--train and --model exclude each other"
}

# Absolute path of a file or of a file to be created (its directory must exist).
ms_abspath() {
    local d b
    d=$(dirname -- "$1") b=$(basename -- "$1")
    d=$(cd -- "$d" 2>/dev/null && pwd) || return 1
    printf '%s/%s\n' "$d" "$b"
}

# Replaces the symlink $2 by one pointing at $1, atomically: ln on a temporary name, then rename
# over the old link (mv -T never follows it into a directory).
ms_link() {
    local tmp
    tmp="$(dirname -- "$2")/.$(basename -- "$2").tmp.$$"
    ln -sfn -- "$1" "$tmp" && mv -Tf -- "$tmp" "$2"
}

# Completed months of the runs directory before month $2 (YYYY-MM sorts like a date); prints the
# latest, or nothing. A month is complete when export wrote its month.json.
ms_prev_month() {
    local runs=$1 month=$2 d m best=""
    for d in "$runs"/[0-9][0-9][0-9][0-9]-[0-9][0-9]; do
        [ -f "$d/month.json" ] || continue
        m=$(basename -- "$d")
        [[ $m < $month ]] || continue
        [[ -z $best || $m > $best ]] && best=$m
    done
    printf '%s' "$best"
}

# True when the lists in $1 hold masked ids (score --mask-ids): their first data row's id has '*'.
ms_lists_masked() {
    local f
    for f in "$1"/*.csv; do
        [ "$(basename -- "$f")" = summary.csv ] && continue
        sed -n 2p -- "$f" | cut -d, -f2 | grep -q '\*' && return 0
    done
    return 1
}

# Writes "NAME=value" lines that bash reads back exactly (printf %q quoting).
ms_plan_var() { printf '%s=%q\n' "$1" "$2"; }

# Decides the month's plan from the parsed arguments and the runs directory, writes
# RUNS/YYYY-MM/plan.env (tmp + rename) and prints it. Sets MS_RUN and CS_STEPS.
ms_plan() {
    mkdir -p -- "$MS_RUNS" || ms_die $MS_EX_NOINPUT "cannot create the runs directory $MS_RUNS"
    MS_RUNS=$(cd -- "$MS_RUNS" && pwd)
    MS_RUN=$MS_RUNS/$MS_MONTH
    local cs=${CHURNSCORE:-$MS_REPO/build/churnscore}
    [ -x "$cs" ] || ms_die $MS_EX_NOINPUT "churnscore binary $cs not found (build it, or set CHURNSCORE)"
    cs=$(ms_abspath "$cs")

    local snap csv_abs=() f
    if [ ${#MS_CSV[@]} -gt 0 ]; then
        for f in "${MS_CSV[@]}"; do
            [ -r "$f" ] || ms_die $MS_EX_NOINPUT "--csv $f cannot be read"
            csv_abs+=("$(ms_abspath "$f")")
        done
        snap=$(ms_abspath "$MS_SNAPSHOT") || ms_die $MS_EX_NOINPUT "--snapshot $MS_SNAPSHOT: its directory does not exist"
    else
        [ -f "$MS_SNAPSHOT" ] || ms_die $MS_EX_NOINPUT "--snapshot $MS_SNAPSHOT does not exist"
        snap=$(ms_abspath "$MS_SNAPSHOT")
    fi
    local train="" model_src="" model_month="" prev outcomes="" prev_snap="" evaluate=0 why_no_eval=""
    if [ -n "$MS_TRAIN" ]; then
        [ -f "$MS_TRAIN" ] || ms_die $MS_EX_NOINPUT "--train $MS_TRAIN does not exist"
        train=$(ms_abspath "$MS_TRAIN")
        model_month=$MS_MONTH
    fi
    prev=$(ms_prev_month "$MS_RUNS" "$MS_MONTH")
    if [ -n "$MS_MODEL" ]; then
        [ -f "$MS_MODEL" ] || ms_die $MS_EX_NOINPUT "--model $MS_MODEL does not exist"
        model_src=$(ms_abspath "$MS_MODEL")
        model_month="given"
    elif [ -z "$train" ]; then
        [ -n "$prev" ] || ms_die $MS_EX_NOINPUT "no completed month before $MS_MONTH in $MS_RUNS, so no" \
            "model to reuse: pass --train LABELLED.h5 (or --model FILE)"
        model_src=$(readlink -f -- "$MS_RUNS/$prev/model.h5") && [ -f "$model_src" ] \
            || ms_die $MS_EX_NOINPUT "$MS_RUNS/$prev/model.h5 is missing: pass --train or --model"
        model_month=$(basename -- "$(dirname -- "$model_src")")
    fi
    if [ -n "$MS_OUTCOMES" ]; then
        [ -f "$MS_OUTCOMES" ] || ms_die $MS_EX_NOINPUT "--outcomes $MS_OUTCOMES does not exist"
        outcomes=$(ms_abspath "$MS_OUTCOMES")
    fi
    if [ -z "$prev" ]; then
        why_no_eval="no completed month before $MS_MONTH"
    elif [ ! -f "$MS_RUNS/$prev/lists/summary.json" ]; then
        why_no_eval="$MS_RUNS/$prev/lists is missing"
    elif ms_lists_masked "$MS_RUNS/$prev/lists"; then
        why_no_eval="the lists of $prev have masked ids (--mask-ids)"
    else
        evaluate=1
        [ -e "$MS_RUNS/$prev/snapshot.h5" ] && prev_snap=$(readlink -f -- "$MS_RUNS/$prev/snapshot.h5")
    fi
    local like=""
    if [ ${#csv_abs[@]} -gt 0 ] && [ "$CS_IMPORT_LIKE" = yes ] && [ -n "$prev" ] \
        && [ -e "$MS_RUNS/$prev/snapshot.h5" ]; then
        like=$(readlink -f -- "$MS_RUNS/$prev/snapshot.h5")
    fi
    CS_STEPS=""
    [ ${#csv_abs[@]} -gt 0 ] && CS_STEPS+="import "
    [ -n "$train" ] && CS_STEPS+="train "
    CS_STEPS+="score "
    [ $evaluate = 1 ] && CS_STEPS+="evaluate "
    CS_STEPS+="export"

    if [ -n "$CS_PUBLISH_DIR" ]; then  # jobs run in the month's directory: make it absolute
        mkdir -p -- "$CS_PUBLISH_DIR" && CS_PUBLISH_DIR=$(cd -- "$CS_PUBLISH_DIR" && pwd) \
            || ms_die $MS_EX_NOINPUT "cannot create the publish directory $CS_PUBLISH_DIR"
    fi
    mkdir -p -- "$MS_RUN/logs" || ms_die $MS_EX_NOINPUT "cannot create $MS_RUN"
    {
        echo "# plan of month $MS_MONTH, written by ${MS_PROG:-month-steps.sh} on $(date '+%Y-%m-%d %H:%M:%S')"
        ms_plan_var CS_MONTH "$MS_MONTH"
        ms_plan_var CS_RUNS "$MS_RUNS"
        ms_plan_var CS_RUN "$MS_RUN"
        ms_plan_var CS_CHURNSCORE "$cs"
        ms_plan_var CS_SNAPSHOT "$snap"
        printf 'CS_CSV=(%s)\n' "$( [ ${#csv_abs[@]} -gt 0 ] && printf '%q ' "${csv_abs[@]}")"
        ms_plan_var CS_IMPORT_LIKE_FILE "$like"
        ms_plan_var CS_TRAIN "$train"
        ms_plan_var CS_MODEL_SRC "$model_src"
        ms_plan_var CS_MODEL_MONTH "$model_month"
        ms_plan_var CS_PREV "$prev"
        ms_plan_var CS_PREV_SNAPSHOT "$prev_snap"
        ms_plan_var CS_OUTCOMES "$outcomes"
        ms_plan_var CS_NO_EVAL_WHY "$why_no_eval"
        ms_plan_var CS_STEPS "$CS_STEPS"
        ms_plan_var CS_RANKS "$MS_RANKS"
        local k
        for k in CS_LAUNCHER CS_SRUN_MPI CS_MPIRUN CS_MODULES CS_IMPORT_OPTS CS_TRAIN_OPTS \
                 CS_SCORE_OPTS CS_EVALUATE_OPTS CS_PUBLISH_DIR; do
            ms_plan_var "$k" "${!k}"
        done
    } > "$MS_RUN/plan.env.tmp" && mv -f -- "$MS_RUN/plan.env.tmp" "$MS_RUN/plan.env" \
        || ms_die $MS_EX_SOFTWARE "cannot write $MS_RUN/plan.env"

    ms_log "month $MS_MONTH -> $MS_RUN"
    ms_log "  steps:    $CS_STEPS"
    [ ${#csv_abs[@]} -gt 0 ] && ms_log "  import:   ${csv_abs[*]} -> $snap${like:+ (like $like)}"
    ms_log "  snapshot: $snap"
    if [ -n "$train" ]; then ms_log "  model:    retrain on $train"
    else ms_log "  model:    reuse $model_src (month $model_month)"; fi
    if [ $evaluate = 1 ]; then
        if [ -n "$outcomes" ]; then ms_log "  evaluate: lists of $prev against the labels of $outcomes"
        else ms_log "  evaluate: lists of $prev against $snap (absent = left)${prev_snap:+, population $prev_snap}"; fi
    else
        ms_log "  evaluate: skipped ($why_no_eval)"
    fi
}

# ---- inside a step -----------------------------------------------------------------------------

# Reads RUN/plan.env.
ms_load_plan() {
    local run=$1
    [ -f "$run/plan.env" ] || ms_die $MS_EX_NOINPUT "$run/plan.env is missing: submit the month again"
    # shellcheck disable=SC1091
    source "$run/plan.env"
}

# Runs churnscore on $1 ranks with the plan's launcher: srun inside a Slurm job, mpirun otherwise.
ms_cs() {
    local n=$1
    shift
    local launcher=${MS_LAUNCHER:-$CS_LAUNCHER}
    if [ "$(id -u)" = 0 ]; then  # Open MPI refuses root without these (CI runs as root)
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    ms_log "run: churnscore $* ($n ranks, $launcher)"
    # CS_MPIRUN is a command with options ("mpirun --oversubscribe"): split on purpose
    # shellcheck disable=SC2086
    case $launcher in
        srun) srun --mpi="$CS_SRUN_MPI" --ntasks="$n" "$CS_CHURNSCORE" "$@" ;;
        mpirun) $CS_MPIRUN -n "$n" "$CS_CHURNSCORE" "$@" ;;
        *) ms_log "error: unknown launcher '$launcher' (srun or mpirun)"; return $MS_EX_USAGE ;;
    esac
}

ms_step_import() {
    local args=(import --out "$CS_SNAPSHOT" --month "$CS_MONTH") f
    for f in "${CS_CSV[@]}"; do args+=(--csv "$f"); done
    [ -n "$CS_IMPORT_LIKE_FILE" ] && args+=(--like "$CS_IMPORT_LIKE_FILE")
    # shellcheck disable=SC2086
    ms_cs 1 "${args[@]}" $CS_IMPORT_OPTS
}

ms_step_train() {
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" train --in "$CS_TRAIN" --model "$CS_RUN/model.h5" \
        --report "$CS_RUN/train-report.md" $CS_TRAIN_OPTS
}

ms_step_score() {
    # the month's record of its inputs: links, replaced atomically
    ms_link "$CS_SNAPSHOT" "$CS_RUN/snapshot.h5" || return $MS_EX_SOFTWARE
    if [ -z "$CS_TRAIN" ]; then
        local target=$CS_MODEL_SRC
        # a model of another month of these runs is linked relatively, so runs/ can move
        [ "$(dirname -- "$(dirname -- "$target")")" = "$CS_RUNS" ] \
            && target="../$(basename -- "$(dirname -- "$target")")/model.h5"
        # (--model naming this month's own model.h5 is already in place)
        if [ "$(readlink -f -- "$CS_MODEL_SRC")" != "$(readlink -f -- "$CS_RUN/model.h5" 2>/dev/null)" ]; then
            ms_link "$target" "$CS_RUN/model.h5" || return $MS_EX_SOFTWARE
        fi
        rm -f -- "$CS_RUN/train-report.md"
    fi
    [ -f "$CS_RUN/model.h5" ] || { ms_log "error: $CS_RUN/model.h5 is missing (did train run?)"; return $MS_EX_NOINPUT; }
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" score --in "$CS_SNAPSHOT" --model "$CS_RUN/model.h5" --out "$CS_RUN/scores.h5" \
        --lists "$CS_RUN/lists" $CS_SCORE_OPTS
}

ms_step_evaluate() {
    local args=(evaluate --lists "$CS_RUNS/$CS_PREV/lists" --out "$CS_RUN/evaluation")
    if [ -n "$CS_OUTCOMES" ]; then
        args+=(--outcomes "$CS_OUTCOMES")
    else
        args+=(--outcomes "$CS_SNAPSHOT" --absent-means-churned)
        [ -n "$CS_PREV_SNAPSHOT" ] && [ -f "$CS_PREV_SNAPSHOT" ] && args+=(--previous "$CS_PREV_SNAPSHOT")
    fi
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" "${args[@]}" $CS_EVALUATE_OPTS
}

# A JSON string literal of $1 (quotes and backslashes escaped; control characters dropped).
ms_json_str() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\037')"
}

ms_report() {
    echo "# Churn scoring, month $CS_MONTH"
    echo
    echo "- completed: $(date '+%Y-%m-%d %H:%M:%S %z') by $(basename -- "$CS_CHURNSCORE") ($("$CS_CHURNSCORE" --version 2>/dev/null | head -1))"
    echo "- snapshot: \`$CS_SNAPSHOT\`"
    if [ -n "$CS_TRAIN" ]; then
        echo "- model: \`model.h5\`, retrained this month on \`$CS_TRAIN\`"
    else
        echo "- model: \`model.h5\` -> \`$(readlink -- "$CS_RUN/model.h5")\` (reused; trained in $CS_MODEL_MONTH)"
    fi
    echo "- scores: \`scores.h5\`; lists: \`lists/\`"
    if [ -f "$CS_RUN/evaluation.md" ] && [[ " $CS_STEPS " == *" evaluate "* ]]; then
        echo "- evaluation of $CS_PREV's lists: \`evaluation.csv\`, \`evaluation.json\` (below)"
    else
        echo "- evaluation: none (${CS_NO_EVAL_WHY:-not run})"
    fi
    echo
    echo "## Lists by region"
    echo
    echo '```'
    cat -- "$CS_RUN/lists/summary.csv"
    echo '```'
    echo
    if [ -f "$CS_RUN/evaluation.md" ] && [[ " $CS_STEPS " == *" evaluate "* ]]; then
        cat -- "$CS_RUN/evaluation.md"
        echo
    fi
    if [ -f "$CS_RUN/lists/drift.csv" ]; then
        echo "## Drift since the model was trained"
        echo
        if grep -q ',retrain$' "$CS_RUN/lists/drift.csv"; then
            echo "**WARNING: the population stability index of some inputs exceeds 0.25: retrain the model.**"
            echo
        fi
        echo "Population stability index of the score and of every model input (< 0.1 stable, 0.1-0.25 watch, > 0.25 retrain):"
        echo
        echo '```'
        cat -- "$CS_RUN/lists/drift.csv"
        echo '```'
        echo
    fi
    if [ -n "$CS_TRAIN" ] && [ -f "$CS_RUN/train-report.md" ]; then
        echo "## Model trained this month"
        echo
        # the training report's headings one level down, under this one
        sed 's/^#/##/' -- "$CS_RUN/train-report.md"
    fi
}

ms_step_export() {
    local run=$CS_RUN f
    for f in model.h5 scores.h5 lists/summary.json; do
        [ -f "$run/$f" ] || { ms_log "error: $run/$f is missing: the month is not complete"; return $MS_EX_SOFTWARE; }
    done
    if [[ " $CS_STEPS " == *" evaluate "* ]] && [ ! -f "$run/evaluation.json" ]; then
        ms_log "error: $run/evaluation.json is missing"
        return $MS_EX_SOFTWARE
    fi
    # a rerun that no longer evaluates must not present an older evaluation as this month's
    [[ " $CS_STEPS " == *" evaluate "* ]] || rm -f -- "$run"/evaluation.{csv,json,md}
    ms_report > "$run/report.md.tmp" && mv -f -- "$run/report.md.tmp" "$run/report.md" \
        || { ms_log "error: cannot write $run/report.md"; return $MS_EX_SOFTWARE; }

    if [ -n "$CS_PUBLISH_DIR" ]; then
        # copy beside the destination, then swap it in: readers never see a half-copied month
        local dst=$CS_PUBLISH_DIR/$CS_MONTH tmp="$CS_PUBLISH_DIR/.$CS_MONTH.tmp.$$" old="$CS_PUBLISH_DIR/.$CS_MONTH.old.$$"
        mkdir -p -- "$CS_PUBLISH_DIR" && rm -rf -- "$tmp" && cp -r -- "$run/lists" "$tmp" \
            && cp -- "$run/report.md" "$tmp/report.md" \
            && { [ ! -e "$dst" ] || mv -T -- "$dst" "$old"; } && mv -T -- "$tmp" "$dst" \
            || { ms_log "error: cannot publish the lists to $dst"; rm -rf -- "$tmp"; return $MS_EX_SOFTWARE; }
        rm -rf -- "$old"
        ms_log "published the lists to $dst"
    fi

    {
        printf '{\n  "kind": "month",\n  "month": %s,\n' "$(ms_json_str "$CS_MONTH")"
        printf '  "completed": %s,\n' "$(ms_json_str "$(date '+%Y-%m-%dT%H:%M:%S%z')")"
        printf '  "snapshot": %s,\n' "$(ms_json_str "$CS_SNAPSHOT")"
        printf '  "retrained": %s,\n' "$([ -n "$CS_TRAIN" ] && echo true || echo false)"
        printf '  "model_month": %s,\n' "$(ms_json_str "$CS_MODEL_MONTH")"
        printf '  "previous_month": %s,\n' "$( [ -n "$CS_PREV" ] && ms_json_str "$CS_PREV" || echo null)"
        printf '  "evaluated": %s,\n' "$([[ " $CS_STEPS " == *" evaluate "* ]] && echo true || echo false)"
        printf '  "steps": %s\n}\n' "$(ms_json_str "$CS_STEPS")"
    } > "$run/month.json.tmp" && mv -f -- "$run/month.json.tmp" "$run/month.json" \
        || { ms_log "error: cannot write $run/month.json"; return $MS_EX_SOFTWARE; }

    # latest moves forward only: finishing a rerun of an older month leaves it where it is
    local cur
    cur=$(readlink -- "$CS_RUNS/latest" 2>/dev/null || true)
    if [ -z "$cur" ] || [[ ! $cur > $CS_MONTH ]]; then
        ms_link "$CS_MONTH" "$CS_RUNS/latest" || { ms_log "error: cannot move $CS_RUNS/latest"; return $MS_EX_SOFTWARE; }
        ms_log "month $CS_MONTH complete: $CS_RUNS/latest -> $CS_MONTH"
    else
        ms_log "month $CS_MONTH complete; $CS_RUNS/latest stays at the later month $cur"
    fi
}

# Runs step $1 of the month whose plan is loaded; returns its exit code.
ms_run_step() {
    local step=$1 t0 rc=0
    t0=$(date +%s)
    ms_log "step $step of month $CS_MONTH: start"
    if [ -n "${CS_MODULES:-}" ] && command -v module >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        module load $CS_MODULES || { ms_log "error: module load $CS_MODULES failed"; return $MS_EX_SOFTWARE; }
    fi
    case $step in
        import|train|score|evaluate|export) "ms_step_$step" || rc=$? ;;
        *) ms_log "error: unknown step '$step'"; return $MS_EX_USAGE ;;
    esac
    ms_log "step $step of month $CS_MONTH: $([ $rc = 0 ] && echo "done" || echo "failed with exit code $rc") in $(( $(date +%s) - t0 )) s"
    return $rc
}

# The body of every jobs/*.sbatch script: step $1, run directory $2.
ms_job_main() {
    local step=$1 run=${2:?usage: sbatch jobs/$1.sbatch RUNS/YYYY-MM}
    ms_load_plan "$run"
    MS_LAUNCHER=$CS_LAUNCHER
    ms_log "job ${SLURM_JOB_ID:-?} on ${SLURM_JOB_NODELIST:-$(hostname)}, ${SLURM_NTASKS:-1} tasks"
    local rc=0
    ms_run_step "$step" || rc=$?
    exit $rc
}

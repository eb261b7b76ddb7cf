# month-steps.sh — the monthly chain's logic, shared by the Slurm path (jobs/submit-month.sh and the
# jobs/*.sbatch steps) and the workstation path (scripts/run-month.sh). Sourced, never run.
#
# A month runs as up to five steps: import (when the month arrives as CSV), train (when --train is
# given), score, evaluate (last month's lists, when there is a last month) and export. The plan —
# which model, which previous month, which outcomes — is decided once, when the month is submitted,
# and written to the month's staging directory RUNS/.staging/YYYY-MM/plan.env; each step reads it,
# so a job does exactly what was printed at submission.
#
# Why a staging directory: a completed month is history (the next month reuses its model, evaluates
# its lists against its snapshot), so no step ever writes into RUNS/YYYY-MM. Every step writes into
# the staging directory; the last step, export, swaps it in as RUNS/YYYY-MM — after moving a month
# already there to RUNS/.archive/ (only with --force-rerun; without it a rerun of a completed month
# is refused before anything runs) — and only then moves RUNS/latest. A failed or killed run
# therefore leaves every completed month, and `latest`, exactly as they were. Each month holds the
# model it scored with as a file of its own (a hard link to the month that trained it), so
# archiving or rerunning one month never changes what another month's model.h5 is. See
# docs/operations.md, "Monthly operation".

MS_JOBS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=month-history.sh
source "$MS_JOBS_DIR/month-history.sh"
# shellcheck source=month-export.sh
source "$MS_JOBS_DIR/month-export.sh"
MS_REPO=$(cd "$MS_JOBS_DIR/.." && pwd)

# The churnscore binary when CHURNSCORE does not name one: installed, these scripts live in
# PREFIX/share/churnscore/jobs and the binary is PREFIX/bin/churnscore; only in a source checkout
# (jobs/ next to CMakeLists.txt) is it the build tree's build/churnscore; otherwise the one on PATH.
ms_default_churnscore() {
    case $MS_JOBS_DIR in
        */share/churnscore/jobs)
            local prefix=${MS_JOBS_DIR%/share/churnscore/jobs}
            if [ -x "$prefix/bin/churnscore" ]; then printf '%s\n' "$prefix/bin/churnscore"; return; fi ;;
    esac
    if [ -f "$MS_REPO/CMakeLists.txt" ] && [ -x "$MS_REPO/build/churnscore" ]; then
        printf '%s\n' "$MS_REPO/build/churnscore"; return
    fi
    command -v churnscore 2>/dev/null || printf '%s\n' "$MS_REPO/build/churnscore"
}

# Exit codes of the scripts (docs/operations.md). 1-8 are churnscore's codes, passed through
# from the step that failed.
MS_EX_USAGE=64     # bad or missing arguments
MS_EX_DATAERR=65   # the snapshot's month attribute is not --month
MS_EX_NOINPUT=66   # an input file is missing, or there is no model to reuse
MS_EX_UNAVAIL=69   # the scheduler refused or is unreachable
MS_EX_SOFTWARE=70  # a step failed without a churnscore code (a script, a copy, a rename, a crash)
MS_EX_CANTCREAT=73 # the month is complete: a rerun would change it (--force-rerun archives it first)
MS_EX_TEMPFAIL=75  # a step was killed, timed out or cancelled, or another run of the month is in
                   # progress: submit the month again (when that run has ended) to finish it

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
    cat <<EOT
usage: ${MS_PROG:-submit-month.sh} --month YYYY-MM --snapshot FILE --runs DIR [options]

  --month YYYY-MM     the month to run (the snapshot's month attribute must say the same)
  --snapshot FILE     the month's snapshot (with --csv: where the imported snapshot is put)
  --runs DIR          the runs directory: DIR/YYYY-MM/ per month, DIR/latest -> the last complete one
  --train FILE        retrain on this labelled snapshot (otherwise reuse the model of the latest
                      completed month before this one)
  --model FILE        score with this model file instead (no retraining)
  --outcomes FILE     evaluate last month's lists against this labelled snapshot of last month
                      (default: against this month's snapshot, absent subscribers counting as leavers)
  --csv FILE          the month arrives as CSV: import FILE first
  --force-rerun       run a month that is already complete again: when the new run completes, the
                      old month is moved to DIR/.archive/YYYY-MM.<time>/ (never deleted); a failed
                      run leaves it as it was. Without it a complete month is refused (exit 73)
  --ranks R           MPI ranks of train, score and evaluate [site.conf: $CS_RANKS]
  --time T            time limit of each step (sbatch --time) [site.conf: $CS_TIME]
  --mem M             memory per node (sbatch --mem) [site.conf: ${CS_MEM:-partition default}]
  --wait              return when the chain ends, with its exit status (submit-month.sh)
  --help              this help

Exit codes: 0 done (or submitted), 1-8 churnscore's code of the failed step, 64 usage, 65 the
snapshot's month is not --month, 66 missing input or no model, 69 scheduler unavailable, 70 a
step's script failed or churnscore crashed, 73 the month is complete (--force-rerun to redo it),
75 a step was killed, timed out or cancelled, or another run of the month is in progress (submit
again to finish the month). A failed month changes no completed month and leaves latest alone.
EOT
}

# Parses the common arguments into MS_* variables.
ms_parse_args() {
    MS_MONTH="" MS_SNAPSHOT="" MS_RUNS="" MS_TRAIN="" MS_MODEL="" MS_OUTCOMES="" MS_WAIT=0 MS_FORCE=0
    MS_CSV=()
    MS_RANKS=$CS_RANKS MS_TIME=$CS_TIME MS_MEM=$CS_MEM
    while [ $# -gt 0 ]; do
        local opt=$1 val=${2-}
        case $opt in
            --help|-h) ms_usage; exit 0 ;;
            --wait) MS_WAIT=1; shift; continue ;;
            --force-rerun) MS_FORCE=1; shift; continue ;;
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

# Puts file $1 at path $2 as a file of its own, atomically (temporary name, then rename): a hard
# link when $1 is on the same file system (same bytes, no copy: the chain never rewrites a file in
# place, it renames new ones over old names, so the link keeps the bytes it was made with), a copy
# otherwise. Prints "hard link" or "copy".
ms_place_file() {
    local tmp
    tmp="$(dirname -- "$2")/.$(basename -- "$2").tmp.$$"
    rm -f -- "$tmp"
    if ln -- "$1" "$tmp" 2>/dev/null; then
        mv -f -- "$tmp" "$2" && echo "hard link"
    else
        { cp -- "$1" "$tmp" && mv -f -- "$tmp" "$2" && echo "copy"; } || { rm -f -- "$tmp"; return 1; }
    fi
}

# A top-level string value of one of our JSON files ("  \"KEY\": \"value\"," lines, as ms_step_export
# and churnscore inspect --json write them); nothing when absent or not a string.
ms_json_get() { sed -n "s/^  \"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" -- "$1" 2>/dev/null | head -1; }

# Completed months of the runs directory before month $2 (YYYY-MM sorts like a date); prints the
# latest, or nothing. A month is complete when RUNS/YYYY-MM/month.json exists (export swaps a
# finished month in as a whole; .staging/ and .archive/ are not months).
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

# Completed months after month $2, space-separated.
ms_later_months() {
    local runs=$1 month=$2 d m out=""
    for d in "$runs"/[0-9][0-9][0-9][0-9]-[0-9][0-9]; do
        [ -f "$d/month.json" ] || continue
        m=$(basename -- "$d")
        [[ $m > $month ]] && out+="$m "
    done
    printf '%s' "${out% }"
}

# True when the lists in $1 hold masked ids (score --mask-ids): summary.json says so ("mask_ids":
# true); lists of a version that did not say have '*' in their first data row's id (column 2).
ms_lists_masked() {
    local f
    if grep -q '^  "mask_ids": ' -- "$1/summary.json" 2>/dev/null; then
        grep -q '^  "mask_ids": true' -- "$1/summary.json"
        return
    fi
    for f in "$1"/*.csv; do
        [ "$(basename -- "$f")" = summary.csv ] && continue
        sed -n 2p -- "$f" | cut -d, -f2 | grep -q '\*' && return 0
    done
    return 1
}

# Writes "NAME=value" lines that bash reads back exactly (printf %q quoting).
ms_plan_var() { printf '%s=%q\n' "$1" "$2"; }

# Root can run Open MPI only with these (CI runs as root).
ms_mpi_root() {
    if [ "$(id -u)" = 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
}

# Checks that snapshot $2's `month` attribute is $3, with `$1 inspect --json` (one rank, run
# directly: it also proves the file is a readable churnscore snapshot, and prints churnscore's own
# message when it is not). Returns 0, churnscore's code when inspect fails, 4 when the file is a
# churnscore file of another kind, or MS_EX_DATAERR when the months differ. inspect reads the whole
# snapshot (its statistics): about 0.5 s per million subscribers.
ms_check_snapshot_month() {
    local cs=$1 file=$2 want=$3 json rc=0 kind month
    ms_mpi_root
    json=$("$cs" inspect --json "$file") || rc=$?
    if [ $rc != 0 ]; then
        ms_log "error: $file: churnscore inspect failed (exit $rc): cannot check its month"
        return $rc
    fi
    kind=$(printf '%s\n' "$json" | sed -n 's/^  "kind": "\(.*\)",$/\1/p' | head -1)
    if [ "$kind" != snapshot ]; then
        ms_log "error: $file: not a snapshot (churnscore inspect says its kind is '${kind:-unknown}')"
        return 4
    fi
    month=$(printf '%s\n' "$json" | sed -n 's/^  "month": "\(.*\)",$/\1/p' | head -1)
    if [ "$month" != "$want" ]; then
        ms_log "error: $file: the snapshot's month attribute is '${month:-(none)}', not --month $want:" \
            "is it the wrong month's file? (nothing was run)"
        return $MS_EX_DATAERR
    fi
}

# True when a Slurm chain submitted from staging directory $1 (its jobs.txt, "step jobid" lines)
# still has a job queued or running; prints the ids. The job name is compared too, so an id that
# Slurm reused after a reset is not taken for one of ours.
ms_chain_active() {
    local stage=$1 step id line name state active=""
    [ -f "$stage/jobs.txt" ] && command -v scontrol >/dev/null 2>&1 || return 1
    while read -r step id; do
        [ -n "$id" ] || continue
        line=$(scontrol show job -o "$id" 2>/dev/null | head -1 || true)
        name=$(sed -n 's/.*JobName=\([^ ]*\).*/\1/p' <<<"$line")
        state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
        [ "$name" = "cs-$(basename -- "$stage")-$step" ] || continue
        case $state in
            PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|REQUEUE_HOLD|REQUEUE_FED|RESIZING|STAGE_OUT|SIGNALING)
                active+="$id " ;;
        esac
    done < "$stage/jobs.txt"
    [ -n "$active" ] || return 1
    printf '%s' "${active% }"
}

# Decides the month's plan from the parsed arguments and the runs directory, prepares the month's
# staging directory RUNS/.staging/YYYY-MM (removing the leftovers of an earlier unfinished run),
# writes its plan.env (tmp + rename) and prints it. Sets MS_RUN (where the month ends up), MS_STAGE
# (where its steps write) and CS_STEPS. Everything that can refuse the month — a complete month
# without --force-rerun, a missing input, a snapshot of another month, a run of the month still in
# progress — is checked before anything is written or submitted.
ms_plan() {
    mkdir -p -- "$MS_RUNS" || ms_die $MS_EX_NOINPUT "cannot create the runs directory $MS_RUNS"
    MS_RUNS=$(cd -- "$MS_RUNS" && pwd)
    MS_RUN=$MS_RUNS/$MS_MONTH
    MS_STAGE=$MS_RUNS/.staging/$MS_MONTH
    local cs=${CHURNSCORE:-$(ms_default_churnscore)}
    [ -x "$cs" ] || ms_die $MS_EX_NOINPUT "churnscore binary $cs not found (build it, install it, or set CHURNSCORE)"
    cs=$(ms_abspath "$cs")

    # a completed month is history: it changes only when asked, and then is archived, not overwritten
    local completed=""
    if [ -f "$MS_RUN/month.json" ]; then
        completed=$(ms_json_get "$MS_RUN/month.json" completed)
        [ "$MS_FORCE" = 1 ] || ms_die $MS_EX_CANTCREAT "month $MS_MONTH is already complete in $MS_RUN" \
            "(completed ${completed:-at an unknown time}); nothing was changed. To run it again, pass" \
            "--force-rerun: the complete month is then moved to $MS_RUNS/.archive/ when the new run" \
            "completes (a failed run leaves it as it is)"
    fi

    local snap csv_abs=() f
    if [ ${#MS_CSV[@]} -gt 0 ]; then
        for f in "${MS_CSV[@]}"; do
            [ -r "$f" ] || ms_die $MS_EX_NOINPUT "--csv $f cannot be read"
            csv_abs+=("$(ms_abspath "$f")")
        done
        snap=$(ms_abspath "$MS_SNAPSHOT") || ms_die $MS_EX_NOINPUT "--snapshot $MS_SNAPSHOT: its directory does not exist"
    else
        [ -f "$MS_SNAPSHOT" ] || ms_die $MS_EX_NOINPUT "--snapshot $MS_SNAPSHOT does not exist"
        # the file itself, links resolved: the month records what it scored (and a --snapshot
        # naming RUNS/YYYY-MM/snapshot.h5 of the month being rerun does not become a link to itself)
        snap=$(readlink -f -- "$MS_SNAPSHOT")
    fi
    # the snapshot must be this month's: checked before anything runs (an imported one is written
    # with --month, and score's lists/summary.json is checked again after scoring)
    if [ ${#csv_abs[@]} = 0 ]; then
        local rc=0
        ms_check_snapshot_month "$cs" "$snap" "$MS_MONTH" || rc=$?
        [ $rc = 0 ] || ms_die $rc "month $MS_MONTH refused: nothing was run or changed"
    fi
    local train="" model_src="" model_month="" prev outcomes="" prev_snap="" evaluate=0 why_no_eval=""
    if [ -n "$MS_TRAIN" ]; then
        [ -f "$MS_TRAIN" ] || ms_die $MS_EX_NOINPUT "--train $MS_TRAIN does not exist"
        train=$(readlink -f -- "$MS_TRAIN")
        model_month=$MS_MONTH
    fi
    prev=$(ms_prev_month "$MS_RUNS" "$MS_MONTH")
    if [ -n "$MS_MODEL" ]; then
        [ -f "$MS_MODEL" ] || ms_die $MS_EX_NOINPUT "--model $MS_MODEL does not exist"
        model_src=$(readlink -f -- "$MS_MODEL")
        model_month="given"
    elif [ -z "$train" ]; then
        [ -n "$prev" ] || ms_die $MS_EX_NOINPUT "no completed month before $MS_MONTH in $MS_RUNS, so no" \
            "model to reuse: pass --train LABELLED.h5 (or --model FILE)"
        model_src=$(readlink -f -- "$MS_RUNS/$prev/model.h5") && [ -f "$model_src" ] \
            || ms_die $MS_EX_NOINPUT "$MS_RUNS/$prev/model.h5 is missing: pass --train or --model"
        # the month that trained it: month.json says (the model is a file of every month that used it)
        model_month=$(ms_json_get "$MS_RUNS/$prev/month.json" model_month)
        [ -n "$model_month" ] || model_month=$prev
    fi
    if [ -n "$MS_OUTCOMES" ]; then
        [ -f "$MS_OUTCOMES" ] || ms_die $MS_EX_NOINPUT "--outcomes $MS_OUTCOMES does not exist"
        outcomes=$(readlink -f -- "$MS_OUTCOMES")
    fi
    local why_no_eval_zh=""  # the same, for a report in Chinese
    if [ -z "$prev" ]; then
        why_no_eval="no completed month before $MS_MONTH"
        why_no_eval_zh="$MS_MONTH 之前没有已完成的月份"
    elif [ ! -f "$MS_RUNS/$prev/lists/summary.json" ]; then
        why_no_eval="$MS_RUNS/$prev/lists is missing"
        why_no_eval_zh="缺少 $MS_RUNS/$prev/lists"
    elif ms_lists_masked "$MS_RUNS/$prev/lists"; then
        why_no_eval="the lists of $prev have masked ids (--mask-ids)"
        why_no_eval_zh="$prev 月名单的用户编号已脱敏（--mask-ids），无法与结果匹配"
    else
        evaluate=1
        [ -e "$MS_RUNS/$prev/snapshot.h5" ] && prev_snap=$(readlink -f -- "$MS_RUNS/$prev/snapshot.h5")
    fi
    # the lists' language and the playbook (site.conf; an older site.conf without them: English and
    # the playbook beside these scripts), checked before anything runs
    local lang=${CS_LANG:-en} pb=${CS_PLAYBOOK:-$MS_JOBS_DIR/playbook.conf}
    case $lang in
        en|zh) ;;
        *) ms_die $MS_EX_USAGE "CS_LANG=$lang (site.conf): the lists' language is en or zh" ;;
    esac
    [ -f "$pb" ] && [ -r "$pb" ] || ms_die $MS_EX_NOINPUT "the playbook $pb (CS_PLAYBOOK in site.conf) cannot be read"
    pb=$(readlink -f -- "$pb")
    # the tag rules (issue 17): tags and value grades of the lists (empty: tags.conf beside these scripts)
    local tg=${CS_TAGS:-$MS_JOBS_DIR/tags.conf}
    [ -f "$tg" ] && [ -r "$tg" ] || ms_die $MS_EX_NOINPUT "the tag rules $tg (CS_TAGS in site.conf) cannot be read"
    tg=$(readlink -f -- "$tg")
    local like=""
    if [ ${#csv_abs[@]} -gt 0 ] && [ "$CS_IMPORT_LIKE" = yes ] && [ -n "$prev" ] \
        && [ -e "$MS_RUNS/$prev/snapshot.h5" ]; then
        like=$(readlink -f -- "$MS_RUNS/$prev/snapshot.h5")
    fi
    # an imported snapshot belongs to the month (RUNS/YYYY-MM/snapshot.h5, written in the staging
    # directory); --snapshot gets it when the month completes, so a failed import changes nothing
    local snap_at=$snap
    [ ${#csv_abs[@]} = 0 ] || snap=$MS_STAGE/snapshot.h5
    CS_STEPS=""
    [ ${#csv_abs[@]} -gt 0 ] && CS_STEPS+="import "
    [ -n "$train" ] && CS_STEPS+="train "
    CS_STEPS+="score analyze "
    [ $evaluate = 1 ] && CS_STEPS+="evaluate "
    CS_STEPS+="export"

    if [ -n "$CS_PUBLISH_DIR" ]; then  # jobs run in the month's directory: make it absolute
        mkdir -p -- "$CS_PUBLISH_DIR" && CS_PUBLISH_DIR=$(cd -- "$CS_PUBLISH_DIR" && pwd) \
            || ms_die $MS_EX_NOINPUT "cannot create the publish directory $CS_PUBLISH_DIR"
    fi

    # One run of a month at a time: this lock is held while a month is planned and submitted, and
    # by run-month.sh until the month ends; a Slurm chain in flight is recognised by its jobs.
    mkdir -p -- "$MS_RUNS/.staging" || ms_die $MS_EX_NOINPUT "cannot create $MS_RUNS/.staging"
    exec {MS_LOCK_FD}>>"$MS_RUNS/.staging/$MS_MONTH.lock" \
        || ms_die $MS_EX_SOFTWARE "cannot open the lock $MS_RUNS/.staging/$MS_MONTH.lock"
    flock -n "$MS_LOCK_FD" || ms_die $MS_EX_TEMPFAIL "another run of month $MS_MONTH is in progress" \
        "(it holds $MS_RUNS/.staging/$MS_MONTH.lock): run again when it has ended"
    if [ -e "$MS_STAGE" ] || [ -L "$MS_STAGE" ]; then
        [ -d "$MS_STAGE" ] && [ ! -L "$MS_STAGE" ] || ms_die $MS_EX_SOFTWARE "$MS_STAGE is not a directory:" \
            "move it away (the chain stages the month there)"
        local active
        if active=$(ms_chain_active "$MS_STAGE"); then
            ms_die $MS_EX_TEMPFAIL "a Slurm chain of month $MS_MONTH is still queued or running (jobs" \
                "$active): wait for it to end, or scancel it, then submit again"
        fi
        # the outputs of an earlier run that failed or was killed: never a complete month (those
        # are swapped out of .staging/), so they are redone from the inputs
        ms_log "removing the leftovers of an earlier unfinished run of $MS_MONTH ($MS_STAGE)"
        rm -rf -- "$MS_STAGE" || ms_die $MS_EX_SOFTWARE "cannot remove $MS_STAGE"
    fi
    mkdir -p -- "$MS_STAGE/logs" || ms_die $MS_EX_NOINPUT "cannot create $MS_STAGE"
    # the month keeps the playbook its lists were written with (the site's file may change later)
    cp -- "$pb" "$MS_STAGE/playbook.conf.tmp" && mv -f -- "$MS_STAGE/playbook.conf.tmp" "$MS_STAGE/playbook.conf" \
        || ms_die $MS_EX_SOFTWARE "cannot copy the playbook $pb into $MS_STAGE"
    cp -- "$tg" "$MS_STAGE/tags.conf.tmp" && mv -f -- "$MS_STAGE/tags.conf.tmp" "$MS_STAGE/tags.conf" \
        || ms_die $MS_EX_SOFTWARE "cannot copy the tag rules $tg into $MS_STAGE"
    {
        echo "# plan of month $MS_MONTH, written by ${MS_PROG:-month-steps.sh} on $(date '+%Y-%m-%d %H:%M:%S')"
        ms_plan_var CS_MONTH "$MS_MONTH"
        ms_plan_var CS_RUNS "$MS_RUNS"
        ms_plan_var CS_RUN "$MS_RUN"
        ms_plan_var CS_STAGE "$MS_STAGE"
        ms_plan_var CS_FORCE "$MS_FORCE"
        ms_plan_var CS_CHURNSCORE "$cs"
        ms_plan_var CS_SNAPSHOT "$snap"
        ms_plan_var CS_SNAPSHOT_AT "$snap_at"
        printf 'CS_CSV=(%s)\n' "$( [ ${#csv_abs[@]} -gt 0 ] && printf '%q ' "${csv_abs[@]}")"
        ms_plan_var CS_IMPORT_LIKE_FILE "$like"
        ms_plan_var CS_TRAIN "$train"
        ms_plan_var CS_MODEL_SRC "$model_src"
        ms_plan_var CS_MODEL_MONTH "$model_month"
        ms_plan_var CS_PREV "$prev"
        ms_plan_var CS_PREV_SNAPSHOT "$prev_snap"
        ms_plan_var CS_OUTCOMES "$outcomes"
        ms_plan_var CS_NO_EVAL_WHY "$why_no_eval"
        ms_plan_var CS_NO_EVAL_WHY_ZH "$why_no_eval_zh"
        ms_plan_var CS_STEPS "$CS_STEPS"
        ms_plan_var CS_RANKS "$MS_RANKS"
        ms_plan_var CS_LANG "$lang"
        ms_plan_var CS_PLAYBOOK "$pb"
        ms_plan_var CS_TAGS "$tg"
        local k
        for k in CS_LAUNCHER CS_SRUN_MPI CS_MPIRUN CS_MODULES CS_IMPORT_OPTS CS_TRAIN_OPTS \
                 CS_SCORE_OPTS CS_ANALYZE_OPTS CS_EVALUATE_OPTS CS_PUBLISH_DIR CS_CONTROL; do
            ms_plan_var "$k" "${!k-}"
        done
    } > "$MS_STAGE/plan.env.tmp" && mv -f -- "$MS_STAGE/plan.env.tmp" "$MS_STAGE/plan.env" \
        || ms_die $MS_EX_SOFTWARE "cannot write $MS_STAGE/plan.env"

    ms_log "month $MS_MONTH -> $MS_RUN (staged in $MS_STAGE until it completes)"
    ms_log "  steps:    $CS_STEPS"
    [ ${#csv_abs[@]} -gt 0 ] && ms_log "  import:   ${csv_abs[*]} -> $MS_RUN/snapshot.h5, also at $snap_at${like:+ (like $like)}"
    ms_log "  snapshot: $snap_at"
    ms_log "  lists:    in $lang, actions from $pb (copied to the month's playbook.conf)"
    if [ -n "$train" ]; then ms_log "  model:    retrain on $train"
    else ms_log "  model:    reuse $model_src (month $model_month)"; fi
    if [ $evaluate = 1 ]; then
        if [ -n "$outcomes" ]; then ms_log "  evaluate: lists of $prev against the labels of $outcomes"
        else ms_log "  evaluate: lists of $prev against $snap_at (absent = left)${prev_snap:+, population $prev_snap}"; fi
    else
        ms_log "  evaluate: skipped ($why_no_eval)"
    fi
    if [ -n "$completed" ]; then
        ms_log "  rerun:    --force-rerun: the complete $MS_MONTH (completed $completed) moves to" \
            "$MS_RUNS/.archive/ when this run completes; until then it stays as it is"
        local later
        later=$(ms_later_months "$MS_RUNS" "$MS_MONTH")
        [ -z "$later" ] || ms_log "  note:     the later months $later keep what they used of the old" \
            "$MS_MONTH (their own model.h5, their evaluation); rerun them with --force-rerun to redo them"
        local m
        for m in $later; do  # months made by an older chain hold a reused model as a symbolic link
            if [ -L "$MS_RUNS/$m/model.h5" ] && [[ $(readlink -f -- "$MS_RUNS/$m/model.h5") == "$MS_RUN"/* ]]; then
                ms_log "  WARNING:  $MS_RUNS/$m/model.h5 is a symbolic link into $MS_MONTH (made by an" \
                    "older version of the chain): it would follow the rerun. Make it a file first" \
                    "(docs/operations.md, \"Months made before\")"
            fi
        done
    elif [ -e "$MS_RUN" ] || [ -L "$MS_RUN" ]; then
        ms_log "  note:     $MS_RUN holds an unfinished earlier run; it moves to $MS_RUNS/.archive/ when this run completes"
    fi
}

# ---- inside a step -----------------------------------------------------------------------------

# Reads STAGE/plan.env.
ms_load_plan() {
    local run=$1
    [ -f "$run/plan.env" ] || ms_die $MS_EX_NOINPUT "$run/plan.env is missing: submit the month again"
    # shellcheck disable=SC1091
    source "$run/plan.env"
}

# Turns the launcher's exit status $1 into the scripts' codes (docs/operations.md) and says why:
# churnscore's own 1-8 pass through; a time limit (124, timeout(1)) or a kill from outside (mpirun
# and srun return 128 + the signal: SIGHUP, SIGINT, SIGKILL — also the kernel's out-of-memory
# killer —, SIGUSR1/2, SIGALRM, SIGTERM, SIGXCPU) is 75, the step can simply be run again; a crash
# (SIGSEGV, SIGABRT, SIGBUS, ...) or any other status of the launcher itself is 70.
ms_launch_rc() {
    local rc=$1 sig
    case $rc in 0|[1-8]) return "$rc" ;; esac
    if [ "$rc" = 124 ]; then
        ms_log "error: churnscore ran past its time limit (exit 124): the step is incomplete; run the month again"
        return $MS_EX_TEMPFAIL
    fi
    if [ "$rc" -gt 128 ] && [ "$rc" -lt 192 ]; then
        sig=$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))
        case $sig in
            HUP|INT|KILL|USR1|USR2|ALRM|TERM|XCPU)
                ms_log "error: churnscore was killed (signal SIG$sig, exit $rc; SIGKILL is also how the" \
                    "kernel ends a process out of memory): the step is incomplete; run the month again"
                return $MS_EX_TEMPFAIL ;;
            *)
                ms_log "error: churnscore crashed (signal SIG$sig, exit $rc): the step is incomplete" \
                    "(a bug: please report it with the step's log)"
                return $MS_EX_SOFTWARE ;;
        esac
    fi
    ms_log "error: the launcher failed with exit code $rc (not one of churnscore's): the step is incomplete"
    return $MS_EX_SOFTWARE
}

# Runs churnscore on $1 ranks with the plan's launcher: srun inside a Slurm job, mpirun otherwise.
# Returns churnscore's code, or the mapped code of a kill or crash (ms_launch_rc).
ms_cs() {
    local n=$1
    shift
    local launcher=${MS_LAUNCHER:-$CS_LAUNCHER} rc=0
    ms_mpi_root
    ms_log "run: churnscore $* ($n ranks, $launcher)"
    # CS_MPIRUN is a command with options ("mpirun --oversubscribe"): split on purpose
    # shellcheck disable=SC2086
    case $launcher in
        srun) srun --mpi="$CS_SRUN_MPI" --ntasks="$n" "$CS_CHURNSCORE" "$@" || rc=$? ;;
        mpirun) $CS_MPIRUN -n "$n" "$CS_CHURNSCORE" "$@" || rc=$? ;;
        *) ms_log "error: unknown launcher '$launcher' (srun or mpirun)"; return $MS_EX_USAGE ;;
    esac
    ms_launch_rc "$rc"
}

ms_step_import() {
    # the snapshot is written inside the staging directory, as the month's own snapshot.h5
    local args=(import --out "$CS_SNAPSHOT" --month "$CS_MONTH") f
    for f in "${CS_CSV[@]}"; do args+=(--csv "$f"); done
    [ -n "$CS_IMPORT_LIKE_FILE" ] && args+=(--like "$CS_IMPORT_LIKE_FILE")
    # shellcheck disable=SC2086
    ms_cs 1 "${args[@]}" $CS_IMPORT_OPTS
}

ms_step_train() {
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" train --in "$CS_TRAIN" --model "$CS_STAGE/model.h5" \
        --report "$CS_STAGE/train-report.md" --playbook "$CS_STAGE/playbook.conf" --lang "$CS_LANG" $CS_TRAIN_OPTS
}

ms_step_score() {
    local stage=$CS_STAGE how
    # the month's record of its snapshot (an imported one is already the month's own file)
    if [ ${#CS_CSV[@]} = 0 ]; then
        ms_link "$CS_SNAPSHOT" "$stage/snapshot.h5" || { ms_log "error: cannot link $stage/snapshot.h5"; return $MS_EX_SOFTWARE; }
    fi
    if [ -z "$CS_TRAIN" ]; then
        # The reused model becomes a file of this month: a hard link to the model of a month of
        # these runs (which the chain never rewrites), a copy of a file from elsewhere (which its
        # owner may rewrite in place). A symbolic link would follow a rerun of the month it
        # points into and rewrite this month's history.
        case $CS_MODEL_SRC in
            "$CS_RUNS"/*) how=$(ms_place_file "$CS_MODEL_SRC" "$stage/model.h5") ;;
            *) how=copy; cp -- "$CS_MODEL_SRC" "$stage/model.h5.tmp" && mv -f -- "$stage/model.h5.tmp" "$stage/model.h5" ;;
        esac || { ms_log "error: cannot put the model $CS_MODEL_SRC in $stage/model.h5"; return $MS_EX_SOFTWARE; }
        ms_log "model.h5: $how of $CS_MODEL_SRC (trained in $CS_MODEL_MONTH)"
    fi
    [ -f "$stage/model.h5" ] || { ms_log "error: $stage/model.h5 is missing (did train run?)"; return $MS_EX_NOINPUT; }
    local rc=0 prev_scores=()
    # month over month (issue 15): the lists marked against last month's, when it was scored
    if [ -n "${CS_PREV:-}" ] && [ -f "$CS_RUNS/$CS_PREV/scores.h5" ]; then
        prev_scores=(--previous-scores "$CS_RUNS/$CS_PREV/scores.h5")
        ms_log "score: month over month against $CS_PREV ($CS_RUNS/$CS_PREV/scores.h5)"
    fi
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" score --in "$CS_SNAPSHOT" --model "$stage/model.h5" --out "$stage/scores.h5" \
        --lists "$stage/lists" --lang "$CS_LANG" --playbook "$stage/playbook.conf" --tags "$stage/tags.conf" \
        --control "${CS_CONTROL:-0}" ${prev_scores[@]+"${prev_scores[@]}"} $CS_SCORE_OPTS || rc=$?
    [ $rc = 0 ] || return $rc
    # the lists carry the scored snapshot's month: a snapshot replaced after the plan checked it,
    # or an import of another month, stops the month here
    local m
    [ -f "$stage/lists/summary.json" ] || { ms_log "error: score wrote no $stage/lists/summary.json"; return $MS_EX_SOFTWARE; }
    m=$(ms_json_get "$stage/lists/summary.json" month)
    if [ "$m" != "$CS_MONTH" ]; then
        ms_log "error: $CS_SNAPSHOT: the scored snapshot's month attribute is '${m:-(none)}', not $CS_MONTH"
        return $MS_EX_DATAERR
    fi
}

# The month's analyses (issue 16): churn, suspension, forwarding, traffic-change and big-customer
# reports, against last month's snapshot when there is one, published with the lists as reports/.
ms_step_analyze() {
    local args=(analyze --in "$CS_SNAPSHOT" --scores "$CS_STAGE/scores.h5" --out "$CS_STAGE/reports" --lang "$CS_LANG")
    [ -n "$CS_PREV_SNAPSHOT" ] && [ -f "$CS_PREV_SNAPSHOT" ] && args+=(--previous "$CS_PREV_SNAPSHOT")
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" "${args[@]}" ${CS_ANALYZE_OPTS:-}
}

ms_step_evaluate() {
    local args=(evaluate --lists "$CS_RUNS/$CS_PREV/lists" --out "$CS_STAGE/evaluation" --lang "$CS_LANG")
    # the tags of last month's lists by the rules they were written with (a month before issue 17 has none)
    [ -f "$CS_RUNS/$CS_PREV/tags.conf" ] && args+=(--tags "$CS_RUNS/$CS_PREV/tags.conf")
    # the scores of last month: each phase's and tier's recall and lift within the group
    [ -f "$CS_RUNS/$CS_PREV/scores.h5" ] && args+=(--scores "$CS_RUNS/$CS_PREV/scores.h5")
    if [ -n "$CS_OUTCOMES" ]; then
        args+=(--outcomes "$CS_OUTCOMES")
    else
        args+=(--outcomes "$CS_SNAPSHOT" --absent-means-churned)
        [ -n "$CS_PREV_SNAPSHOT" ] && [ -f "$CS_PREV_SNAPSHOT" ] && args+=(--previous "$CS_PREV_SNAPSHOT")
    fi
    # shellcheck disable=SC2086
    ms_cs "$CS_RANKS" "${args[@]}" $CS_EVALUATE_OPTS
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
        import|train|score|analyze|evaluate|export) "ms_step_$step" || rc=$? ;;
        *) ms_log "error: unknown step '$step'"; return $MS_EX_USAGE ;;
    esac
    ms_log "step $step of month $CS_MONTH: $([ $rc = 0 ] && echo "done" || echo "failed with exit code $rc") in $(( $(date +%s) - t0 )) s"
    return $rc
}

# The body of every jobs/*.sbatch script: step $1, staging directory $2.
ms_job_main() {
    local step=$1 run=${2:?usage: sbatch jobs/$1.sbatch RUNS/.staging/YYYY-MM}
    # an export requeued (node failure) after it had swapped the month in: nothing left to do
    if [ "$step" = export ] && [ ! -e "$run" ] \
        && [ -f "$(dirname -- "$(dirname -- "$run")")/$(basename -- "$run")/month.json" ]; then
        ms_log "month $(basename -- "$run") is already complete (this export ran before): nothing to do"
        exit 0
    fi
    ms_load_plan "$run"
    MS_LAUNCHER=$CS_LAUNCHER
    ms_log "job ${SLURM_JOB_ID:-?} on ${SLURM_JOB_NODELIST:-$(hostname)}, ${SLURM_NTASKS:-1} tasks"
    local rc=0
    ms_run_step "$step" || rc=$?
    exit $rc
}

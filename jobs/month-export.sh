# month-export.sh — sourced by month-steps.sh: the month's last step, export (ms_step_export): the
# month's report.md (ms_report), the move of the staging directory into RUNS/YYYY-MM (ms_commit, a
# month already there going to RUNS/.archive/ first, ms_archive_path) and then of RUNS/latest. Kept
# apart so that each file holds one part of the chain; it uses the plan variables (CS_*) and the
# helpers (ms_log, ms_die, ms_cs, ...) of month-steps.sh. Sourced, never run.

# A JSON string literal of $1 (quotes and backslashes escaped; control characters dropped).
ms_json_str() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$(printf '%s' "$s" | tr -d '\000-\037')"
}

# The month's report.md, in the lists' language (CS_LANG of the plan: en or zh). The tables come
# from score (summary.csv, in that language), evaluate (evaluation.md, in that language, with
# --lang) and the drift check; the training report is train's own (English: a technical record of
# the model for the analyst) under a heading in the report's language.
ms_report() {
    local stage=$CS_STAGE zh=0 now ver
    [ "${CS_LANG:-en}" = zh ] && zh=1
    # ms_t EN ZH: the text in the report's language
    ms_t() { if [ $zh = 1 ]; then printf '%s' "$2"; else printf '%s' "$1"; fi; }
    now=$(date '+%Y-%m-%d %H:%M:%S %z')
    ver="$(basename -- "$CS_CHURNSCORE") ($("$CS_CHURNSCORE" --version 2>/dev/null | head -1))"
    echo "# $(ms_t "Churn scoring, month $CS_MONTH" "流失预警评分：$CS_MONTH 月")"
    echo
    echo "- $(ms_t "completed: $now by $ver" "完成时间：$now，程序 $ver")"
    if [ ${#CS_CSV[@]} -gt 0 ]; then
        echo "- $(ms_t "snapshot: \`snapshot.h5\`, imported from \`${CS_CSV[*]}\` (also at \`$CS_SNAPSHOT_AT\`)" \
            "快照：\`snapshot.h5\`，由 \`${CS_CSV[*]}\` 导入（另存于 \`$CS_SNAPSHOT_AT\`）")"
    else
        echo "- $(ms_t "snapshot: \`$CS_SNAPSHOT_AT\`" "快照：\`$CS_SNAPSHOT_AT\`")"
    fi
    if [ -n "$CS_TRAIN" ]; then
        echo "- $(ms_t "model: \`model.h5\`, retrained this month on \`$CS_TRAIN\`" \
            "模型：\`model.h5\`，本月以 \`$CS_TRAIN\` 重新训练")"
    else
        echo "- $(ms_t "model: \`model.h5\`, the model of \`$CS_MODEL_SRC\` (reused; trained in $CS_MODEL_MONTH), kept in this month as a file of its own" \
            "模型：\`model.h5\`，沿用 \`$CS_MODEL_SRC\` 的模型（$CS_MODEL_MONTH 月训练），在本月另存一份")"
    fi
    echo "- $(ms_t "scores: \`scores.h5\`; lists: \`lists/\` (per region a retention, a collections and a billing-check list; actions from \`playbook.conf\`)" \
        "评分：\`scores.h5\`；名单：\`lists/\`（每个地区一份挽留名单、一份催缴名单、一份账单核查名单；建议行动取自 \`playbook.conf\`）")"
    if [ -f "$stage/evaluation.md" ] && [[ " $CS_STEPS " == *" evaluate "* ]]; then
        echo "- $(ms_t "evaluation of $CS_PREV's lists: \`evaluation.csv\`, \`evaluation.json\` (below)" \
            "$CS_PREV 月名单的效果评估：\`evaluation.csv\`、\`evaluation.json\`（见下文）")"
    else
        echo "- $(ms_t "evaluation: none (${CS_NO_EVAL_WHY:-not run})" "效果评估：无（${CS_NO_EVAL_WHY_ZH:-未运行}）")"
    fi
    echo
    echo "## $(ms_t "Lists by region" "各地区名单")"
    echo
    echo '```'
    # without the byte order mark that score writes for spreadsheets
    sed '1s/^\xEF\xBB\xBF//' -- "$stage/lists/summary.csv"
    echo '```'
    echo
    if [ -f "$stage/evaluation.md" ] && [[ " $CS_STEPS " == *" evaluate "* ]]; then
        cat -- "$stage/evaluation.md"
        echo
    fi
    if [ -f "$stage/lists/drift.csv" ]; then
        echo "## $(ms_t "Drift since the model was trained" "模型训练以来的漂移")"
        echo
        if grep -q ',retrain$' "$stage/lists/drift.csv"; then
            echo "**$(ms_t "WARNING: the population stability index of some inputs exceeds 0.25: retrain the model." \
                "警告：部分模型输入的群体稳定性指数（PSI）超过 0.25：请重新训练模型。")**"
            echo
        fi
        echo "$(ms_t "Population stability index of the score and of every model input (< 0.1 stable, 0.1-0.25 watch, > 0.25 retrain):" \
            "评分及各模型输入的群体稳定性指数（< 0.1 稳定，0.1-0.25 关注，> 0.25 需重新训练）：")"
        echo
        echo '```'
        if [ $zh = 1 ]; then  # drift.csv stays English (scripts read it): its words translated here
            sed '1s/^input,psi,status$/模型输入,PSI,状态/; 2s/^"churn probability",/"流失概率",/;
                 s/,stable$/,稳定/; s/,watch$/,关注/; s/,retrain$/,需重新训练/' -- "$stage/lists/drift.csv"
        else
            cat -- "$stage/lists/drift.csv"
        fi
        echo '```'
        echo
    fi
    # the month among the months before it (RUNS/history.csv and this month's row: month-history.sh)
    if [ -n "${CS_HISTORY_ROW:-}" ]; then
        ms_history_merge "$CS_RUNS/history.csv" "$CS_HISTORY_ROW" | ms_history_report $zh
        echo
    fi
    if [ -n "$CS_TRAIN" ] && [ -f "$stage/train-report.md" ]; then
        echo "## $(ms_t "Model trained this month" "本月训练的模型")"
        echo
        [ $zh = 1 ] && { echo "以下为训练程序生成的模型技术报告（英文，供分析人员查阅）。"; echo; }
        # the training report's headings one level down, under this one
        sed 's/^#/##/' -- "$stage/train-report.md"
    fi
    if [ -f "$stage/reports/report.md" ]; then  # analyze's sections, one level down
        echo
        sed 's/^#/##/' -- "$stage/reports/report.md"
    fi
}

# A free name DIR/NAME.<UTC time>[.N] for an archived copy (DIR is created).
ms_archive_path() {
    local dir=$1 name=$2 base p i=1
    mkdir -p -- "$dir" || return 1
    base="$dir/$name.$(date -u '+%Y%m%dT%H%M%SZ')"
    p=$base
    while [ -e "$p" ] || [ -L "$p" ]; do i=$((i + 1)); p="$base.$i"; done
    printf '%s\n' "$p"
}

# Swaps the finished staging directory in as RUNS/YYYY-MM. A month already there is moved to
# RUNS/.archive/ first (renames within RUNS: nothing is copied or deleted); when that month is
# complete this needs the plan's --force-rerun (checked at submission, and again here in case
# another run completed the month meanwhile). If the second rename fails, the old month is put back.
# Between the two renames (a moment) RUNS/YYYY-MM does not exist.
ms_commit() {
    local run=$CS_RUN stage=$CS_STAGE arch=""
    if [ -e "$run" ] || [ -L "$run" ]; then
        if [ -f "$run/month.json" ] && [ "$CS_FORCE" != 1 ]; then
            ms_log "error: month $CS_MONTH was completed in $run by another run while this one was in" \
                "progress; it was not changed, and this run's results stay in $stage (--force-rerun replaces it)"
            return $MS_EX_CANTCREAT
        fi
        arch=$(ms_archive_path "$CS_RUNS/.archive" "$CS_MONTH") \
            || { ms_log "error: cannot create $CS_RUNS/.archive: nothing was changed"; return $MS_EX_SOFTWARE; }
        mv -T -- "$run" "$arch" || { ms_log "error: cannot move $run to $arch: nothing was changed"; return $MS_EX_SOFTWARE; }
    fi
    if ! mv -T -- "$stage" "$run"; then
        if [ -n "$arch" ] && mv -T -- "$arch" "$run"; then
            ms_log "error: cannot move $stage to $run: the month that was there is back in place"
        else
            ms_log "error: cannot move $stage to $run${arch:+ (the month that was there is in $arch)}"
        fi
        return $MS_EX_SOFTWARE
    fi
    [ -z "$arch" ] || ms_log "the month $CS_MONTH that was there before is archived in $arch"
}

ms_step_export() {
    local stage=$CS_STAGE f
    for f in model.h5 scores.h5 lists/summary.json reports/report.md; do
        [ -f "$stage/$f" ] || { ms_log "error: $stage/$f is missing: the month is not complete"; return $MS_EX_SOFTWARE; }
    done
    if [[ " $CS_STEPS " == *" evaluate "* ]] && [ ! -f "$stage/evaluation.json" ]; then
        ms_log "error: $stage/evaluation.json is missing"
        return $MS_EX_SOFTWARE
    fi
    CS_HISTORY_ROW=$(ms_history_row "$stage")
    ms_report > "$stage/report.md.tmp" && mv -f -- "$stage/report.md.tmp" "$stage/report.md" \
        || { ms_log "error: cannot write $stage/report.md"; return $MS_EX_SOFTWARE; }
    {
        printf '{\n  "kind": "month",\n  "month": %s,\n' "$(ms_json_str "$CS_MONTH")"
        printf '  "completed": %s,\n' "$(ms_json_str "$(date '+%Y-%m-%dT%H:%M:%S%z')")"
        printf '  "snapshot": %s,\n' "$(ms_json_str "$CS_SNAPSHOT_AT")"
        printf '  "retrained": %s,\n' "$([ -n "$CS_TRAIN" ] && echo true || echo false)"
        printf '  "model_month": %s,\n' "$(ms_json_str "$CS_MODEL_MONTH")"
        printf '  "previous_month": %s,\n' "$( [ -n "$CS_PREV" ] && ms_json_str "$CS_PREV" || echo null)"
        printf '  "evaluated": %s,\n' "$([[ " $CS_STEPS " == *" evaluate "* ]] && echo true || echo false)"
        printf '  "steps": %s\n}\n' "$(ms_json_str "$CS_STEPS")"
    } > "$stage/month.json.tmp" && mv -f -- "$stage/month.json.tmp" "$stage/month.json" \
        || { ms_log "error: cannot write $stage/month.json"; return $MS_EX_SOFTWARE; }
    # the same report as a page with charts and tables (churnscore report reads the month's files,
    # month.json included, and the completed months before it for the trend); a report that cannot
    # be written stops the month here, before anything moves
    local rrc=0
    ms_cs 1 report --month-dir "$stage" --runs "$CS_RUNS" --lang "$CS_LANG" || rrc=$?
    [ $rrc = 0 ] || return $rrc

    # the published copy is made before anything moves, and swapped in after the month
    local pub="" pub_tmp=""
    if [ -n "$CS_PUBLISH_DIR" ]; then
        pub=$CS_PUBLISH_DIR/$CS_MONTH pub_tmp="$CS_PUBLISH_DIR/.$CS_MONTH.tmp.$$"
        mkdir -p -- "$CS_PUBLISH_DIR" && rm -rf -- "$pub_tmp" && cp -r -- "$stage/lists" "$pub_tmp" \
            && cp -- "$stage/report.md" "$pub_tmp/report.md" && cp -- "$stage/report.html" "$pub_tmp/report.html" \
            && cp -r -- "$stage/reports" "$pub_tmp/reports" \
            || { ms_log "error: cannot copy the lists to $pub_tmp: nothing was changed"; rm -rf -- "$pub_tmp"; return $MS_EX_SOFTWARE; }
    fi

    local rc=0
    ms_commit || rc=$?
    if [ $rc != 0 ]; then
        [ -z "$pub_tmp" ] || rm -rf -- "$pub_tmp"
        return $rc
    fi
    # from here on the month is complete in RUNS/YYYY-MM
    ms_history_merge "$CS_RUNS/history.csv" "$CS_HISTORY_ROW" | ms_history_write "$CS_RUNS" \
        || { ms_log "error: cannot write $CS_RUNS/history.csv (the month is complete)"; return $MS_EX_SOFTWARE; }

    if [ -n "$pub" ]; then
        # readers never see a half-copied month; a copy published before is archived, not deleted
        local old=""
        if [ -e "$pub" ] || [ -L "$pub" ]; then
            old=$(ms_archive_path "$CS_PUBLISH_DIR/.archive" "$CS_MONTH") && mv -T -- "$pub" "$old" \
                || { ms_log "error: cannot move the published $pub aside: the month is complete, its lists are not published"; rm -rf -- "$pub_tmp"; return $MS_EX_SOFTWARE; }
        fi
        mv -T -- "$pub_tmp" "$pub" \
            || { ms_log "error: cannot publish the lists to $pub (the month is complete)"; rm -rf -- "$pub_tmp"; return $MS_EX_SOFTWARE; }
        ms_log "published the lists to $pub${old:+ (the copy published before is in $old)}"
    fi

    if [ ${#CS_CSV[@]} -gt 0 ]; then
        # --snapshot names the imported snapshot too: a hard link to the month's file (so a later
        # import under that name leaves this month's file alone), a symbolic link across file systems
        local tmp
        tmp="$(dirname -- "$CS_SNAPSHOT_AT")/.$(basename -- "$CS_SNAPSHOT_AT").tmp.$$"
        rm -f -- "$tmp"
        { ln -- "$CS_RUN/snapshot.h5" "$tmp" 2>/dev/null || ln -s -- "$CS_RUN/snapshot.h5" "$tmp"; } \
            && mv -Tf -- "$tmp" "$CS_SNAPSHOT_AT" \
            || { ms_log "error: cannot put the imported snapshot at $CS_SNAPSHOT_AT (the month is complete; it is $CS_RUN/snapshot.h5)"; return $MS_EX_SOFTWARE; }
    fi

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

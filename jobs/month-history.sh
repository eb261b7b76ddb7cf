# month-history.sh — sourced by month-steps.sh: RUNS/history.csv and RUNS/history.json, one row per
# completed month (issue 15), and the last twelve months in the month's report.md.
#
# Why here and not in churnscore: the row gathers what the month's steps wrote (lists/summary.json,
# lists/drift.csv, evaluation.csv, evaluation-effect.csv, the plan), on the machine that finishes the
# month, with nothing but awk and sed (no Python on the compute nodes). The export step computes the
# month's row before it writes report.md (so the report's table holds this month), and writes the
# files only after the month is complete (ms_commit): a month that fails adds nothing; a rerun of a
# month (--force-rerun) replaces its row; the rows stay in month order. Both files are written as
# NAME.tmp and renamed.

MS_HISTORY_COLS="month,model_month,retrained,evaluated_month,precision,recall,lift,uplift,uplift_lo95,uplift_hi95,saved_subscribers,saved_value,listed_retention,listed_collections,listed_billing,control,validation_auc,validation_ks,score_psi,largest_input_psi,largest_input,seconds"

# ms_csv_pick FILE COL [KEY=VALUE...]: column COL (by header name) of the first row of FILE whose
# columns KEY equal VALUE; nothing when the file or the column is missing. Our CSVs (evaluate,
# drift) quote only texts with commas or quotes, and the rows picked here have none in their keys.
ms_csv_pick() {
    local f=$1 col=$2; shift 2
    [ -f "$f" ] || return 0
    awk -F, -v col="$col" -v conds="$(IFS='|'; printf '%s' "$*")" '
        NR == 1 { sub(/^\xef\xbb\xbf/, ""); for (i = 1; i <= NF; i++) h[$i] = i; n = split(conds, c, "|"); next }
        { gsub(/"/, ""); ok = 1
          for (k = 1; k <= n; k++) { split(c[k], kv, "="); if (!(kv[1] in h) || $(h[kv[1]]) != kv[2]) ok = 0 }
          if (ok && (col in h)) { v = $(h[col]); gsub(/"/, "", v); print v; exit } }' "$f"
}

# The "listed" of queue $2 in summary.json's "total" (its queues block, as io/lists.c writes it).
ms_total_listed() {
    awk -v q="\"$2\": {" 'index($0, "\"total\": {") { t = 1 } t && index($0, q) { in_q = 1 }
        in_q && /"listed":/ { gsub(/[^0-9]/, ""); print; exit }' "$1" 2>/dev/null
}

# The validation figure $2 ("auc", "ks") of summary.json, or nothing.
ms_validation() {
    awk -v k="\"$2\":" 'index($0, "\"validation\": {") { v = 1 } v && index($0, k) {
        sub(/.*: /, ""); sub(/,$/, ""); print; exit }' "$1" 2>/dev/null
}

# The CSV row of the month in staging directory $1 (the plan loaded).
ms_history_row() {
    local s=$1 ev=$1/evaluation.csv fx=$1/evaluation-effect.csv drift=$1/lists/drift.csv sum=$1/lists/summary.json
    local evaluated="" big="" bigpsi="" secs
    [[ " $CS_STEPS " == *" evaluate "* ]] && evaluated=$CS_PREV || { ev=/nonexistent; fx=/nonexistent; }
    if [ -f "$drift" ]; then
        # the largest input drift: every row but the score's
        read -r bigpsi big < <(awk -F, 'NR > 2 { gsub(/"/, "", $1); if ($2 + 0 > m || !seen) { m = $2 + 0; n = $1; seen = 1 } }
            END { if (seen) print m, n }' "$drift")
    fi
    secs=$(( $(date +%s) - $(stat -c %Y -- "$s/plan.env" 2>/dev/null || date +%s) ))
    local control
    control=$(awk '/"control":/ && !/"control_file"/ && ++n > 1 { gsub(/[^0-9]/, ""); t += $0 } END { print t + 0 }' "$sum" 2>/dev/null)
    local f=(
        "$CS_MONTH" "$CS_MODEL_MONTH" "$([ -n "$CS_TRAIN" ] && echo retrained || echo reused)" "$evaluated"
        "$(ms_csv_pick "$ev" precision scope=overall breakdown=all)"
        "$(ms_csv_pick "$ev" recall scope=overall breakdown=all)"
        "$(ms_csv_pick "$ev" lift scope=overall breakdown=all)"
        "$(ms_csv_pick "$fx" uplift scope=overall breakdown=all treated=listed)"
        "$(ms_csv_pick "$fx" uplift_lo95 scope=overall breakdown=all treated=listed)"
        "$(ms_csv_pick "$fx" uplift_hi95 scope=overall breakdown=all treated=listed)"
        "$(ms_csv_pick "$fx" saved_subscribers scope=overall breakdown=all treated=listed)"
        "$(ms_csv_pick "$fx" saved_value scope=overall breakdown=all treated=listed)"
        "$(ms_total_listed "$sum" retention)" "$(ms_total_listed "$sum" collections)" "$(ms_total_listed "$sum" billing)"
        "$control" "$(ms_validation "$sum" auc)" "$(ms_validation "$sum" ks)"
        "$(ms_csv_pick "$drift" psi input="churn probability")" "$bigpsi" "${big//,/ }" "$secs")
    local IFS=,
    printf '%s\n' "${f[*]}"
}

# The history's rows with row $2 (of month ${2%%,*}) in place of that month's, in month order; from
# RUNS/history.csv ($1) when it exists.
ms_history_merge() {
    local hist=$1 row=$2 month=${2%%,*}
    { [ -f "$hist" ] && tail -n +2 -- "$hist" | awk -F, -v m="$month" '$1 != m'; printf '%s\n' "$row"; } | sort -t, -k1,1
}

# Writes RUNS/history.csv and .json from the merged rows (stdin). Returns non-zero when a file
# cannot be written (then neither changed).
ms_history_write() {
    local runs=$1 csv=$1/history.csv json=$1/history.json
    { printf '%s\n' "$MS_HISTORY_COLS"; cat; } > "$csv.tmp" || { rm -f -- "$csv.tmp"; return 1; }
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; print "{\n  \"kind\": \"history\",\n  \"months\": ["; next }
        { printf "%s    {", (NR > 2 ? ",\n" : "")
          for (i = 1; i <= NF; i++) {
              v = $i
              if (v == "") v = "null"
              else if (h[i] ~ /^(month|model_month|retrained|evaluated_month|largest_input)$/) { gsub(/["\\]/, "", v); v = "\"" v "\"" }
              printf "%s\"%s\": %s", (i > 1 ? ", " : ""), h[i], v }
          printf "}" }
        END { print "\n  ]\n}" }' "$csv.tmp" > "$json.tmp" || { rm -f -- "$csv.tmp" "$json.tmp"; return 1; }
    mv -f -- "$json.tmp" "$json" && mv -f -- "$csv.tmp" "$csv"
}

# The report's section: the last twelve months of the merged rows (stdin) as a table, and the trend
# of AUC, uplift and drift from the first to the last of them. $1: 1 for Chinese.
ms_history_report() {
    local zh=$1
    awk -F, -v zh="$zh" '
        function f(v, d) { return v == "" ? "-" : sprintf("%." d "f", v) }
        { r[NR] = $0 }
        END {
            first = NR > 12 ? NR - 11 : 1
            if (zh) { print "## 历月趋势（最近 12 个月）"; print ""
                      print "| 月份 | 模型 | AUC | 上月名单提升度 | 挽留增益 (95% 区间) | 挽回价值 | 挽留名单 | 对照组 | 评分 PSI | 最大输入 PSI |" }
            else { print "## History (the last 12 months)"; print ""
                   print "| month | model | AUC | lift of last month'"'"'s lists | uplift (95% interval) | value saved | retention listed | control | score PSI | largest input PSI |" }
            print "|---|---|---|---|---|---|---|---|---|---|"
            for (i = first; i <= NR; i++) {
                split(r[i], c, ",")
                up = c[8] == "" ? "-" : sprintf("%.4f [%.4f, %.4f]", c[8], c[9], c[10])
                printf "| %s | %s %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c[1], c[2], c[3], f(c[17], 4),
                       f(c[7], 2), up, f(c[12], 0), c[13], c[16], f(c[19], 4), f(c[20], 4)
                if (c[17] != "") { if (a0 == "") a0 = c[17]; a1 = c[17] }
                if (c[8] != "") { if (u0 == "") u0 = c[8]; u1 = c[8] }
                if (c[19] != "") { if (p0 == "") p0 = c[19]; p1 = c[19] }
            }
            print ""
            if (zh) printf "趋势：AUC %s → %s，挽留增益 %s → %s，评分 PSI %s → %s\n", f(a0, 4), f(a1, 4), f(u0, 4), f(u1, 4), f(p0, 4), f(p1, 4)
            else printf "Trend: AUC %s -> %s, uplift %s -> %s, score PSI %s -> %s\n", f(a0, 4), f(a1, 4), f(u0, 4), f(u1, 4), f(p0, 4), f(p1, 4)
        }'
}

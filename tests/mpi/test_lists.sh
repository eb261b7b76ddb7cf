#!/bin/bash
# The lists a regional team works from (issue 14), over a whole generated month in Chinese at 1 and 3
# ranks and on both list paths, identical bit for bit: every file starts with the UTF-8 byte order
# mark and has the Chinese headers; every subscriber is in the one queue the rule gives (high bill ->
# billing, arrears -> collections, else retention when not healthy) and each list is its queue's top
# K by --capacity (a region's line, a queue's own line, --top for the rest), hard-signal rows first;
# every row's action and channel are what an independent reading of the shipped playbook gives for
# its stage, phase, queue, grade (by name) and e-channel preference; the --list-columns are the snapshot's values;
# summary.csv counts each queue. A site playbook (another action, a changed channel) changes the
# lists accordingly; --lang en and --no-bom. A month through run-month.sh in Chinese: report.md,
# evaluation.md and summary.csv in Chinese, the month's playbook kept. Bad input — a playbook with a
# hole, an unknown word in it, an unknown --list-columns name, --lang xx, a capacity file naming an
# unknown region or a bad K — each one message, its exit code, nothing written.
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export TAGS="$SRC/jobs/tags.conf"
PB="$SRC/jobs/playbook.conf"
N=30011
run 2 "$CS" generate --out "$T/s.h5" --subscribers $N --regions 5 --seed 14 --quiet || fail "generate"
run 2 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --quiet > /dev/null || fail "train"
COLS=arpu_m1,arpu_m2,arpu_m3,tenure_months,contract_months_left,e_channel_use,suspended_arrears,suspended_high_bill
REG=$("$CS" inspect --json "$T/s.h5" 2> /dev/null | python3 -c 'import json, sys; print("\n".join(r["name"] for r in json.load(sys.stdin)["regions"]))')
R0=$(sed -n 1p <<< "$REG") R2=$(sed -n 3p <<< "$REG")
printf 'region,k,queue\n%s,7,\n%s,3,collections\n%s,0,billing\n' "$R0" "$R0" "$R2" > "$T/cap.csv"
ARGS=(--top 40 --capacity "$T/cap.csv" --lang zh --list-columns "$COLS")
for v in 1 3 3r; do
  env=""; [ "$v" = 3r ] && env="CS_LISTS_ON_ROOT=1"
  env $env timeout 300 mpirun --oversubscribe -n "${v%r}" "$CS" score --in "$T/s.h5" --model "$T/m.h5" \
    --out "$T/o$v.h5" --lists "$T/L$v" "${ARGS[@]}" > /dev/null 2> "$T/err$v.txt" \
    || { cat "$T/err$v.txt"; fail "score with $v ranks"; }
done
diff -r "$T/L1" "$T/L3" > /dev/null || fail "lists differ between 1 and 3 ranks"
diff -r "$T/L1" "$T/L3r" > /dev/null || fail "lists differ between the owners' path and rank 0's"
dump() { h5dump -d "$2" -y -w 0 -m %.17g "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/^ *//; /^$/d'; }
for d in id region phase stage tier probability value_at_risk; do dump "$T/o1.h5" /subscribers/$d > "$T/$d.txt"; done
# each churn type's probability where the model has churn types (else no such datasets), the cut-off
for d in p_voluntary p_involuntary; do dump "$T/o1.h5" /subscribers/$d > "$T/$d.txt" 2> /dev/null || : > "$T/$d.txt"; done
{ h5dump -a collections_cutoff -m %.17g "$T/o1.h5" 2> /dev/null || :; } | sed -n 's/^ *(0): //p' > "$T/cut.txt"
[ -s "$T/cut.txt" ] || echo nan > "$T/cut.txt" # no churn types: no collections cut-off
for c in ${COLS//,/ }; do
  i=$(h5dump -d /subscribers/feature_names -y -w 0 "$T/s.h5" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' \
    | sed 's/^ *"//; s/"$//' | grep -n -x -- "$c" | cut -d: -f1)
  h5dump -d /subscribers/features -s "0,$((i - 1))" -c "$N,1" -y -w 0 -m %.9g "$T/s.h5" | sed -n '/DATA {/,/}/p' \
    | sed '1d;$d' | tr ',' '\n' | sed 's/^ *//; /^$/d' > "$T/f_$c.txt"
done

# check LISTS PLAYBOOK LANG TOP CAPACITY: the lists against SCORES.h5, the snapshot and the playbook
cat > "$T/check.py" <<'PY'
import csv, os, sys
T, L, PB, LANG, TOP, CAP = sys.argv[1:7]
TOP = int(TOP)
col = lambda n: [x.strip() for x in open(os.path.join(T, n))]
ids = [int(x) for x in col("id.txt")]
reg = [int(x) for x in col("region.txt")]
ph = [int(x) for x in col("phase.txt")]
st = [int(x) for x in col("stage.txt")]
tier = [int(x) for x in col("tier.txt")]
pr = [float(x) for x in col("probability.txt")]
va = [float(x) for x in col("value_at_risk.txt")]
COLS = "arpu_m1 arpu_m2 arpu_m3 tenure_months contract_months_left e_channel_use suspended_arrears suspended_high_bill".split()
feat = {c: [float(x) for x in col("f_%s.txt" % c)] for c in COLS}
n = len(ids)
row = {ids[i]: i for i in range(n)}
types = os.path.getsize(os.path.join(T, "p_voluntary.txt")) > 0
pv = [float(x) for x in col("p_voluntary.txt")] if types else pr
pi = [float(x) for x in col("p_involuntary.txt")] if types else [None] * n
cut = float(open(os.path.join(T, "cut.txt")).read())
# an independent reading of the playbook: rules in order, first match wins
actions, rules, online = {}, [], None
for line in open(PB, encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    kind = line.split()[0]
    if kind == "online":
        _, ind, mn = line.split()
        online = (ind, float(mn))
    elif kind == "action":
        head, en, zh = line.split("|")
        _, code, ch, och = head.split()
        actions[code] = (ch, och, en.strip(), zh.strip())
    elif kind == "rule":
        rules.append(line.split()[1:])
STAGES = ["onboarding", "growth", "maturity", "decline"]
PHASES = ["healthy", "warning", "alarm"]
def tier_ok(spec, t):
    if spec == "*": return True
    a, b = spec.split("-") if "-" in spec else (spec, spec)
    return int(a) <= t <= int(b)
# the English labels of the shipped tags (a rule keyed on a tag: checked first, for rows with the tag)
TAGLABEL, key = {}, None
for line in open(os.environ["TAGS"], encoding="utf-8"):
    w = line.split(None, 1)
    if w and w[0] == "tag": key = w[1].strip()
    if w and w[0] == "en": TAGLABEL[key] = w[1].strip()
def action(i, q, tags=()):
    for keyed in (True, False):
        for rl in rules:
            s, p, qq, t, code = rl[:5]
            if keyed != (len(rl) == 6) or (keyed and TAGLABEL[rl[5]] not in tags):
                continue
            if s in ("*", STAGES[st[i]]) and p in ("*", PHASES[ph[i]]) and qq in ("*", q) and tier_ok(t, tier[i]):
                return code
    raise AssertionError("no rule for row %d" % i)
CHAN = {"en": {"phone": "phone call", "sms": "SMS", "app": "app message", "store": "in store", "visit": "account manager visit"},
        "zh": {"phone": "电话外呼", "sms": "短信", "app": "手机营业厅推送", "store": "营业厅", "visit": "客户经理上门"}}[LANG]
H = {"en": ["rank", "queue", "id", "region", "brand", "probability", "p_voluntary", "p_involuntary", "value_at_risk",
            "stage", "phase", "grade", "action_code", "action", "channel", "reason_1", "reason_2", "reason_3", "tags",
            "new_on_list", "months_on_list", "prev_probability", "prev_phase"],
     "zh": ["排名", "队列", "用户编号", "地区", "品牌", "流失概率", "主动流失概率", "被动流失概率", "风险价值",
            "生命周期", "预警状态", "价值等级", "行动代码", "建议行动", "渠道", "原因1", "原因2", "原因3", "客户标签",
            "本月新上榜", "连续上榜月数", "上月流失概率", "上月预警状态"]}[LANG]
# the value grade by its name (jobs/tags.conf as shipped): grade 1 the most valuable, 0 unknown
GN = {"en": ["unknown", "diamond", "gold", "silver", "standard", "basic"],
      "zh": ["未知", "钻石", "金", "银", "普通", "基础"]}[LANG]
QL = {"en": {"retention": "retention", "collections": "collections", "billing": "billing check"},
      "zh": {"retention": "挽留", "collections": "催缴", "billing": "账单核查"}}[LANG]
PL = {"en": PHASES, "zh": ["健康期", "预警期", "告警期"]}[LANG]
SL = {"en": STAGES, "zh": ["入网期", "成长期", "成熟期", "衰退期"]}[LANG]
def queue(i):
    if feat["suspended_high_bill"][i] > 0: return "billing"
    if feat["suspended_arrears"][i] > 0 or (pi[i] is not None and pi[i] >= cut and pi[i] > pv[i]): return "collections"
    return "retention" if ph[i] != 0 else None
def order(q, i):
    band = {"retention": ph[i] == 2, "collections": feat["suspended_arrears"][i] > 0, "billing": True}[q]
    key = {"retention": pv[i], "collections": pr[i] if pi[i] is None else pi[i], "billing": va[i]}[q]
    return (-int(band), -key, ids[i])
cap = {}
for r in csv.DictReader(open(CAP, encoding="utf-8-sig")) if CAP != "-" else []:
    cap[(r["region"], r["queue"] or None)] = int(r["k"])
def k_of(name, q):
    return cap.get((name, q), cap.get((name, None), TOP))
bom = True if LANG == "zh" else os.environ.get("BOM", "1") == "1"
summary = list(csv.DictReader(open(os.path.join(L, "summary.csv"), encoding="utf-8-sig")))
# the last row is the total (issue 15): no region_index, the regions' sums
total, summary = summary[-1], summary[:-1]
assert list(total.values())[0] == "" and list(total.values())[1] == {"en": "total", "zh": "合计"}[LANG], total
for c in (2, 4, 5, 7, 8, 10, 11, 13, 14, 16):
    key = list(total)[c]
    assert int(total[key]) == sum(int(r[key]) for r in summary), ("summary total", key)
names = [r[{"en": "region", "zh": "地区"}[LANG]] for r in summary]
files = sorted(f for f in os.listdir(L) if f.endswith(".csv") and f not in ("summary.csv", "drift.csv"))
assert len(files) == 3 * len(names), files
seen, nrows = set(), 0
for g, name in enumerate(names):
    srow = summary[g]
    for q in ("retention", "collections", "billing"):
        fname = "%02d-%s-%s.csv" % (g, name, q)
        raw = open(os.path.join(L, fname), "rb").read()
        assert raw.startswith(b"\xef\xbb\xbf") == bom, (fname, raw[:3])
        rows = list(csv.reader(open(os.path.join(L, fname), encoding="utf-8-sig")))
        assert rows[0] == H + [{"en": "segment", "zh": "细分群"}[LANG]] + COLS, rows[0]
        body = [dict(zip(rows[0], r)) for r in rows[1:]]
        members = [i for i in range(n) if reg[i] == g and queue(i) == q]
        k = k_of(name, q)
        want = sorted(members, key=lambda i: order(q, i))[:k if k else None]
        assert [int(r[H[2]]) for r in body] == [ids[i] for i in want], "%s: not the queue's top %d in order" % (fname, k)
        # summary.csv: per queue its subscribers, listed rows and file (columns 8-16, in any language)
        keys, qk = list(srow), {"retention": 7, "collections": 10, "billing": 13}[q]
        assert int(srow[keys[qk]]) == len(members), (fname, "summary: queue count")
        assert int(srow[keys[qk + 1]]) == len(body) and srow[keys[qk + 2]] == fname, (fname, "summary: listed, file")
        for k_, r in enumerate(body):
            i = row[int(r[H[2]])]
            assert int(r[H[0]]) == k_ + 1 and r[H[1]] == QL[q] and r[H[3]] == name
            assert r[H[9]] == SL[st[i]] and r[H[10]] == PL[ph[i]] and r[H[11]] == GN[tier[i]]
            code = action(i, q, r[H[18]].split(";"))
            ch, och, en, zh = actions[code]
            pref = online is not None and feat[online[0]][i] >= online[1]
            assert r[H[12]] == code and r[H[13]] == {"en": en, "zh": zh}[LANG], (fname, r[H[12]], code)
            assert r[H[14]] == CHAN[och if pref else ch], (fname, r[H[14]], pref)
            for c in COLS:  # the snapshot's values, as the snapshot holds them (float32)
                v = feat[c][i]
                assert (r[c] == "" if v != v else abs(float(r[c]) - v) <= 1e-6 * max(1.0, abs(v))), (c, r[c], v)
                assert not r[c].startswith("'"), r[c]
        assert not seen & {r[H[2]] for r in body}, "a subscriber in two lists"
        seen |= {r[H[2]] for r in body}
        nrows += len(body)
print("lists ok: %d rows in %d files (%s)" % (nrows, len(files), LANG))
PY
python3 "$T/check.py" "$T" "$T/L1" "$PB" zh 40 "$T/cap.csv" || fail "the Chinese lists"
grep -q "^0,$R0,.*,[0-9]*,7,00-$R0-retention.csv,[0-9]*,3,00-$R0-collections.csv,[0-9]*,7," <(sed '1s/^\xEF\xBB\xBF//' "$T/L1/summary.csv") \
  || { cat "$T/L1/summary.csv"; fail "capacity of $R0 in summary.csv"; }
grep -q '"lang": "zh"' "$T/L1/summary.json" || fail "summary.json: lang"

# a site's playbook: the two most valuable grades' retention gets another action, the collections an SMS
sed -e 's/^rule \*  *\*  *retention  *1  *ACCOUNT_MGR$/rule * * retention 1-2 VIP_DESK/' \
    -e 's/^action COLLECT      sms   app /action COLLECT      sms   sms /' "$PB" > "$T/site-pb.conf"
echo "action VIP_DESK store app | VIP desk | 贵宾服务台" >> "$T/site-pb.conf"
# keyed on a tag (issue 17): the family-business customers' retention, whatever the grade
echo "action FAMILY_CARE phone app | Family plan care | 家庭业务关怀" >> "$T/site-pb.conf"
echo "rule * warning retention * FAMILY_CARE family" >> "$T/site-pb.conf"
cmp -s "$PB" "$T/site-pb.conf" && fail "the site playbook is the shipped one"
grep -q "retention 1-2 VIP_DESK" "$T/site-pb.conf" || fail "sed of the playbook"
run 3 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/op.h5" --lists "$T/Lp" --lang en --no-bom \
  --playbook "$T/site-pb.conf" --list-columns "$COLS" > /dev/null 2>&1 || fail "score with a site playbook"
BOM=0 python3 "$T/check.py" "$T" "$T/Lp" "$T/site-pb.conf" en 0 - || fail "the lists of a site playbook"
grep -q ",VIP_DESK,VIP desk," "$T"/Lp/*-retention.csv || fail "the site's action is not used"
grep -q ",FAMILY_CARE,Family plan care," "$T"/Lp/*-retention.csv || fail "the site's action keyed on a tag is not used"

# a month in Chinese through run-month.sh (site.conf's CS_LANG=zh): the report, the evaluation and the
# summary in Chinese, the month's playbook kept
run 1 "$CS" generate --follows "$T/s.h5" --out "$T/s2.h5" --quiet || fail "generate month 2"
export CHURNSCORE=$(readlink -f "$CS") CS_RANKS=2 CS_MPIRUN="timeout 300 mpirun --oversubscribe" CS_PUBLISH_DIR=""
unset CS_LANG
bash "$SRC/scripts/run-month.sh" --month 2026-10 --snapshot "$T/s.h5" --model "$T/m.h5" --runs "$T/runs" \
  > "$T/mon1.log" 2>&1 || { cat "$T/mon1.log"; fail "month 1 in Chinese"; }
bash "$SRC/scripts/run-month.sh" --month 2026-11 --snapshot "$T/s2.h5" --runs "$T/runs" > "$T/mon2.log" 2>&1 \
  || { cat "$T/mon2.log"; fail "month 2 in Chinese"; }
M="$T/runs/2026-11"
grep -q "^# 流失预警评分：2026-11 月" "$M/report.md" || fail "report.md title"
grep -q "^## 各地区名单" "$M/report.md" || fail "report.md: lists section"
grep -q "^## 上月名单的效果评估" "$M/report.md" || fail "report.md: the evaluation in Chinese"
grep -q "^| \*\*全部地区\*\* |" "$M/evaluation.md" || fail "evaluation.md in Chinese"
grep -q "^地区序号,地区,用户数," "$M/report.md" || fail "report.md: summary.csv in Chinese"
grep -q "^\"流失概率\",.*,稳定$" "$M/report.md" || fail "report.md: the drift table in Chinese"
grep -qi "[a-z]\{4,\} [a-z]\{4,\} [a-z]\{4,\}" <(grep -v '^\(`\|"\|input\|[0-9]\|- 完成\)' "$M/report.md" | grep -v '`') \
  && { grep -i "[a-z]\{4,\} [a-z]\{4,\} [a-z]\{4,\}" "$M/report.md"; fail "English prose in the Chinese report"; }
cmp "$PB" "$M/playbook.conf" || fail "the month's playbook"
cmp "$SRC/jobs/tags.conf" "$M/tags.conf" || fail "the month's tag rules"
grep -q "^### 客户标签的效果验证" "$M/report.md" || fail "report.md: the tag validation"
grep -q '<h3 id="tags">客户标签的效果验证</h3>' "$M/report.html" || fail "report.html: the tag validation"
head -c 3 "$M/lists/00-$R0-retention.csv" | cmp -s - <(printf '\xef\xbb\xbf') || fail "the month's lists: no BOM"

# bad input: one message, its exit code, nothing written
expect_fail() { # expect_fail CODE PATTERN ARGS...
  local code=$1 pat=$2 rc=0; shift 2
  rm -rf "$T/bad.h5" "$T/bad.h5.tmp" "$T/Lbad" "$T/Lbad.tmp"
  run 2 "$CS" "$@" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  [ $rc = "$code" ] || { cat "$T/err.txt"; fail "exit $rc, expected $code: $*"; }
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "message lacks '$pat': $*"; }
  [ "$(grep -c 'churnscore: error' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "not one error line: $*"; }
  for f in bad.h5 bad.h5.tmp Lbad Lbad.tmp bad.h5.lock Lbad.lock; do [ -e "$T/$f" ] && fail "$f left behind: $*"; done
  return 0
}
S=(score --in "$T/s.h5" --model "$T/m.h5" --out "$T/bad.h5" --lists "$T/Lbad")
grep -v "^rule decline" "$PB" > "$T/hole.conf"
expect_fail 5 "hole.conf: a hole: no rule covers stage decline, phase warning, queue retention, tier 0" \
  "${S[@]}" --playbook "$T/hole.conf"
expect_fail 5 "hole.conf: a hole" train --in "$T/s.h5" --model "$T/bad.h5" --playbook "$T/hole.conf"
sed 's/^rule growth /rule grwoth /' "$PB" > "$T/typo.conf"
line=$(grep -n "^rule grwoth" "$T/typo.conf" | cut -d: -f1)
expect_fail 5 "typo.conf:$line: unknown stage 'grwoth'" "${S[@]}" --playbook "$T/typo.conf"
sed 's/^action COLLECT      sms /action COLLECT      fax /' "$PB" > "$T/chan.conf"
expect_fail 5 "chan.conf:[0-9]*: unknown channel 'fax'" "${S[@]}" --playbook "$T/chan.conf"
sed 's/ GROW_VAS$/ GROW_VAZ/' "$PB" > "$T/code.conf"
expect_fail 5 "code.conf:[0-9]*: unknown action code 'GROW_VAZ'" "${S[@]}" --playbook "$T/code.conf"
expect_fail 3 "nope.conf: cannot open the playbook" "${S[@]}" --playbook "$T/nope.conf"
expect_fail 1 "option --list-columns: no indicator 'arpu_m4' in $T/s.h5" "${S[@]}" --list-columns arpu_m1,arpu_m4
expect_fail 1 "option --list-columns: at most 16 indicators" "${S[@]}" \
  --list-columns "$(h5dump -d /subscribers/feature_names -y -w 0 "$T/s.h5" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr -d ' "' | cut -d, -f1-17)"
expect_fail 1 "option --lang" "${S[@]}" --lang xx
printf 'region,k\n%s,5\n西藏,3\n' "$R0" > "$T/cap1.csv"
expect_fail 5 "cap1.csv: line 3: region '西藏' is not a region of the snapshot" "${S[@]}" --capacity "$T/cap1.csv"
printf 'region,k\n%s,five\n' "$R0" > "$T/cap2.csv"
expect_fail 5 "cap2.csv: line 2: k 'five' of region '$R0' is not a whole number" "${S[@]}" --capacity "$T/cap2.csv"
echo "lists: queues, capacity, playbook actions and channels, indicators, Chinese, BOM; bad input refused"

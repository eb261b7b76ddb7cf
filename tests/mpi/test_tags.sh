#!/bin/bash
# Customer tags and value grades (issue 17):
#  - on a generated month with a cost family and an identity flag added (h5py), score's
#    /subscribers/tags, /subscribers/contribution and /subscribers/tier (the grade) are those of an
#    independent computation from the rule file and the snapshot (tagcheck.py, its own parser of the
#    rule language), at 1 and 3 ranks, and the two runs' datasets and lists are the same bytes; the
#    lists' grade and tags columns name the same, in Chinese and in English;
#  - the same with a site rule file of thresholds, an identity lift and a rule naming another tag;
#  - the shipped rules on a plain generated month skip the cost and identity tags, each with one
#    notice saying what it needs;
#  - a rule file with a syntax error, an unknown indicator, a duplicate key or a cycle through tags
#    gives one message with file:line:column, exit 5, and writes nothing;
#  - evaluate reports each tag's churn rate and lift, and for tags whose effect the generator sets
#    (complaints, dissatisfaction, family plan, points) the observed churn rate is within 4 standard
#    errors of the generator's truth (/truth/churn_prob), its lift on the side the truth says; the
#    tag validation is in the .md report and the same for 1 and 3 ranks.
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
SRC=${CS_SRC:-$(dirname "$0")/../..}
CHECK="$SRC/tests/mpi/tagcheck.py"
RULES="$SRC/jobs/tags.conf"

run 1 "$CS" generate --out "$T/g.h5" --subscribers 60000 --regions 3 --seed 17 --quiet || fail "generate"
run 2 "$CS" train --in "$T/g.h5" --model "$T/m.h5" --model-kind logit --quiet > "$T/train.txt" || fail "train"
# a cost family (some months missing) and an identity flag, as an operator's extract would have them
$PY - "$T/g.h5" "$T/c.h5" <<'EOF' || fail "adding cost and identity columns"
import sys, shutil, h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    X = f["/subscribers/features"][...]
    names = [n.decode() for n in f["/subscribers/feature_names"][...]]
    n = X.shape[0]
    rng = np.random.default_rng(17)
    arpu = X[:, names.index("arpu_m3")]
    cost = [np.where(rng.random(n) < 0.05, np.nan, arpu * rng.uniform(0.3, 1.4, n)).astype(np.float32) for _ in range(3)]
    ident = (rng.random(n) < 0.02).astype(np.float32)
    X2 = np.concatenate([X, np.stack(cost + [ident], axis=1)], axis=1)
    del f["/subscribers/features"], f["/subscribers/feature_names"], f["/truth/loadings"]
    f.create_dataset("/subscribers/features", data=X2, chunks=(8192, X2.shape[1]))
    f.create_dataset("/subscribers/feature_names", data=np.array(names + ["cost_m1", "cost_m2", "cost_m3", "identity_flag"], dtype=object),
                     dtype=h5py.string_dtype())
EOF

for n in 1 3; do
  run $n "$CS" score --in "$T/c.h5" --model "$T/m.h5" --out "$T/s$n.h5" --lists "$T/L$n" --lang zh > "$T/score$n.txt" 2>&1 \
    || { cat "$T/score$n.txt"; fail "score at $n ranks"; }
  $PY "$CHECK" "$RULES" "$T/c.h5" "$T/s$n.h5" "$T/L$n" zh > "$T/check$n.txt" || { cat "$T/check$n.txt"; fail "tagcheck at $n ranks"; }
done
cat "$T/check1.txt"
has "9 active tags of 9" "$T/check1.txt" || fail "the cost and identity tags did not bind with their columns"
has "(ARPU - cost)" "$T/score1.txt" || fail "score does not say contribution is ARPU - cost"
for d in /subscribers/tags /subscribers/contribution /subscribers/tier /tags/key /tags/label_zh /grades/name_zh; do
  [ "$(dsum "$T/s1.h5" $d)" = "$(dsum "$T/s3.h5" $d)" ] || fail "$d differs between 1 and 3 ranks"
done
for f in "$T"/L1/*.csv; do cmp "$f" "$T/L3/$(basename "$f")" || fail "list $(basename "$f") differs between 1 and 3 ranks"; done

# a site's rules: thresholds, an identity lift, a tag that names another, English lists
cat > "$T/site.conf" <<'EOF'
grade 1 钻 top 120
grade 2 金 high 80
grade 3 银 mid 55.5
grade 4 铜 low 30
grade 5 铁 rest
cost cost
lift vvip
tag big
  zh 大客户
  en big spender
  when mean(arpu) - mean(cost) > 40 or max(data_mb) >= 8000
  channel visit
  say.zh 大客户
  say.en big
tag vvip
  zh 要客
  en key person
  when identity_flag == 1 and not (complaints_m3 > 1) or big and change(mou) < -0.5
  channel visit
  say.zh 要客
  say.en key
tag odd
  zh 怪
  en odd
  when -(min(sms) - 3) * 2 / 4 >= -1 and nps_score != 7
  channel sms
  say.zh 怪
  say.en odd
EOF
run 3 "$CS" score --in "$T/c.h5" --model "$T/m.h5" --out "$T/t.h5" --lists "$T/LT" --tags "$T/site.conf" > "$T/st.txt" 2>&1 \
  || { cat "$T/st.txt"; fail "score with the site's rules"; }
$PY "$CHECK" "$T/site.conf" "$T/c.h5" "$T/t.h5" "$T/LT" en > "$T/checkt.txt" || { cat "$T/checkt.txt"; fail "tagcheck of the site's rules"; }
has "grades by thresholds" "$T/checkt.txt" || fail "the thresholds were not used"
cat "$T/checkt.txt"

# the shipped rules on a plain month: two optional tags skipped, each saying what it needs
run 2 "$CS" score --in "$T/g.h5" --model "$T/m.h5" --out "$T/p.h5" --lists "$T/LP" > "$T/sp.txt" 2>&1 || { cat "$T/sp.txt"; fail "score, plain"; }
$PY "$CHECK" "$RULES" "$T/g.h5" "$T/p.h5" "$T/LP" en > "$T/checkp.txt" || { cat "$T/checkp.txt"; fail "tagcheck, plain"; }
[ "$(grep -c 'tag negative_value skipped.*it needs a cost indicator' "$T/sp.txt")" = 1 ] || fail "no (or more than one) notice for negative_value"
[ "$(grep -c 'tag identity skipped.*it needs a flag column identity_flag' "$T/sp.txt")" = 1 ] || fail "no (or more than one) notice for identity"
has "has no cost indicator" "$T/sp.txt" || fail "no notice that contribution is ARPU"

# bad rule files: one message with file:line:column, exit 5, nothing written
bad() { # NAME WANT: the rule file $T/NAME.conf must be refused with WANT
  local rc=0
  run 2 "$CS" score --in "$T/g.h5" --model "$T/m.h5" --out "$T/bad.h5" --lists "$T/LB" --tags "$T/$1.conf" > "$T/$1.txt" 2>&1 || rc=$?
  [ "$rc" = 5 ] || { cat "$T/$1.txt"; fail "$1: exit $rc, not 5"; }
  has -F "$2" "$T/$1.txt" || { cat "$T/$1.txt"; fail "$1: no '$2'"; }
  [ "$(grep -c "$T/$1.conf:" "$T/$1.txt")" = 1 ] || { cat "$T/$1.txt"; fail "$1: not one message"; }
  [ ! -e "$T/bad.h5" ] && [ ! -e "$T/bad.h5.tmp" ] && [ ! -e "$T/LB" ] && [ ! -e "$T/LB.tmp" ] || fail "$1: something was written"
}
tag() { printf 'tag %s\n  zh 甲\n  en a\n  when %s\n  channel sms\n  say.zh 说\n  say.en say\n' "$1" "$2"; }
{ tag a "complaints_m3 >= 2"; tag b "(nps_score < 3 or"; } > "$T/syntax.conf"
bad syntax "$T/syntax.conf:11:25: tag b: expected a value"
{ tag a "complaints_m3 >= 2"; tag b "nps_score < 3 or mean(bogus) > 1"; } > "$T/unknown.conf"
bad unknown "$T/unknown.conf:11:30: tag b: unknown indicator family 'bogus'"
{ tag a "complaints_m3 >= 2"; tag a "nps_score < 3"; } > "$T/dup.conf"
bad dup "$T/dup.conf:8:5: a duplicate tag key 'a' (first defined at line 1)"
{ tag a "complaints_m3 >= 2 and c"; tag b "a or nps_score < 3"; tag c "b"; } > "$T/cycle.conf"
bad cycle "$T/cycle.conf:11:8: a cycle through tags: a -> c -> b -> a"

# evaluate: each tag's churn rate against the generator's truth, at 1 and 3 ranks
for n in 1 3; do
  run $n "$CS" evaluate --lists "$T/LP" --outcomes "$T/g.h5" --out "$T/ev$n" --json > "$T/ev$n.json.out" 2> "$T/ev$n.err" \
    || { cat "$T/ev$n.err"; fail "evaluate at $n ranks"; }
done
cmp "$T/ev1.json" "$T/ev3.json" || fail "evaluate's JSON differs between 1 and 3 ranks"
cmp "$T/ev1.md" "$T/ev3.md" || fail "evaluate's Markdown differs between 1 and 3 ranks"
has "### Tags validated by outcomes" "$T/ev1.md" || fail "no tag validation in the Markdown report"
has "| complaint-prone | all |" "$T/ev1.md" || fail "no complaint-prone line in the Markdown report"
$PY - "$T/g.h5" "$T/ev1.json" "$RULES" "$CHECK" <<'EOF' || fail "tag lifts against the generator's truth"
import sys, json, importlib.util, h5py, numpy as np
spec = importlib.util.spec_from_file_location("tagcheck", sys.argv[4]); tc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tc)
tags, _, _, _ = tc.parse_rules(sys.argv[3])
with h5py.File(sys.argv[1], "r") as f:
    X = f["/subscribers/features"][...].astype(np.float64)
    names = [n.decode() for n in f["/subscribers/feature_names"][...]]
    p = f["/truth/churn_prob"][...].astype(np.float64)
    y = f["/subscribers/churned"][...]
idx = {n: j for j, n in enumerate(names)}
ev = {t["tag"]: t for t in json.load(open(sys.argv[2]))["tags"]}
base_true = p.mean()
assert abs(ev["*"]["churn_rate"] - y.mean()) < 1e-12
checked = 0
for t in tags:
    if t["key"] not in ev:
        continue
    on = tc.truth(tc.ev(tc.Parser(t["when"]).parse(), lambda nm: X[:, idx[nm]]))
    e = ev[t["key"]]
    assert e["subscribers"] == on.sum(), (t["key"], e["subscribers"], on.sum())
    assert e["leavers"] == y[on].sum(), t["key"]
    true_rate = p[on].mean()
    se = np.sqrt((p[on] * (1 - p[on])).sum()) / on.sum()
    z = (e["churn_rate"] - true_rate) / se
    true_lift = true_rate / base_true
    print("  %-14s n=%6d truth rate %.4f lift %.2f | observed %.4f lift %.2f | z %+.2f" % (
        t["key"], on.sum(), true_rate, true_lift, e["churn_rate"], e["lift"], z))
    assert abs(z) < 4, t["key"]
    if t["key"] in ("sensitive", "dissatisfied", "family", "vip"):
        # effects the generator sets: complaints raise the churn logit directly, the dissatisfaction
        # factor (nps) raises it, the loyalty factor (family plan) and the value factor (points) lower it
        assert abs(true_lift - 1) > 0.1, (t["key"], true_lift)
        assert (e["lift"] > 1) == (true_lift > 1), (t["key"], e["lift"], true_lift)
        checked += 1
assert checked == 4, checked
EOF
echo "PASS test_tags"

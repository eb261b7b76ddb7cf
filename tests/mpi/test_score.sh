#!/bin/bash
# score: lists and SCORES.h5 identical for 1, 2, 3 and 4 ranks; lists sorted and complete (cross-
# checked against the summary and against SCORES.h5 and the snapshot's suspensions: every subscriber
# in the one queue the rule gives, each queue's list its top K with hard-signal rows first, ranked by
# the queue's own key); a region without subscribers; K larger than a region; probabilities in [0, 1]; indicators matched by name (another column order, a permuted
# subset, extra columns); --rank-by value_at_risk; --mask-ids; no text field that starts a formula;
# validation with labels (exact sample size with --validate-max) and null without; the lists written
# by the regions' owner ranks and by rank 0 alone (forced, over --memory, and where some ranks do not
# see the lists directory) give the same bytes, with 5 ranks and with more ranks than regions; bad
# input: a missing indicator, a file that is not a model, a lists path that is not ours, a bad row on
# one rank, a failing list write on one owner rank.
source "$(dirname "$0")/common.sh"
KIT="$BUILD/scorekit"
N=30011
run 2 "$CS" generate --out "$T/s.h5" --subscribers $N --seed 11 --quiet || fail "generate"
# the same subscribers with the indicator columns reversed and region 5 emptied into region 4
"$KIT" permute "$T/s.h5" "$T/p.h5" --empty-region 5 || fail "scorekit permute"
"$KIT" permute "$T/s.h5" "$T/u.h5" --drop-labels || fail "scorekit permute --drop-labels"
# a hand-made model on a permuted subset of the indicators (the snapshot has many more columns)
"$KIT" model "$T/s.h5" "$T/hm.h5" mou_m3=-0.8 dual_sim=2.5 complaints_m3=0.6 tenure_months \
  contract_months_left arpu_m3=-0.3 competitor_service_calls_m3=1.5 days_no_outgoing_m3=0.7 \
  || fail "scorekit model"
MODELS="hm"
# a trained model too, where train is built
if run 2 "$CS" train --in "$T/s.h5" --model "$T/tm.h5" --quiet > /dev/null 2>&1; then MODELS="hm tm"; fi

DS="/subscribers/id /subscribers/region /subscribers/brand /subscribers/probability /subscribers/stage
/subscribers/phase /subscribers/tier /subscribers/arpu /subscribers/value_at_risk /subscribers/reasons
/summary/subscribers /summary/alarm /summary/warning /summary/listed /summary/expected_leavers
/summary/value_at_risk /tier_cutoffs /reasons/text /validation/region_auc /validation/calibration_obs"
# and each churn type's probability where the model has churn types (the trained one)
sums() {
  for d in $DS $(h5ls "$1/subscribers" | awk '$1 ~ /^p_/ {print "/subscribers/" $1}'); do echo "$d $(dsum "$1" "$d")"; done
}
dump() { h5dump -d "$2" -y -w 0 -m %.17g "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/^ *//; /^$/d'; }
# featcol FILE NAME: one indicator of a snapshot, a value a line (found by name: p.h5's columns are
# reversed)
featcol() {
  local i n
  i=$(h5dump -d /subscribers/feature_names -y -w 0 "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' \
    | sed 's/^ *"//; s/"$//' | grep -n -x -- "$2" | cut -d: -f1)
  n=$(h5dump -H -d /subscribers/id "$1" | sed -n 's/.*DATASPACE  SIMPLE { ( \([0-9]*\) ).*/\1/p')
  h5dump -d /subscribers/features -s "0,$((i - 1))" -c "$n,1" -y -w 0 -m %.9g "$1" | sed -n '/DATA {/,/}/p' \
    | sed '1d;$d' | tr ',' '\n' | sed 's/^ *//; /^$/d'
}
featcol "$T/p.h5" suspended_arrears > "$T/arrears.txt"
featcol "$T/p.h5" suspended_high_bill > "$T/highbill.txt"
[ "$(wc -l < "$T/arrears.txt")" = "$N" ] && [ "$(wc -l < "$T/highbill.txt")" = "$N" ] || fail "featcol"
grep -qv '^0$' "$T/arrears.txt" && grep -qv '^0$' "$T/highbill.txt" || fail "no suspensions to check the queues with"

for M in $MODELS; do
  for opts in "" "--top 7" "--top 100000 --rank-by value_at_risk"; do
    tag="$M$(echo "$opts" | tr -d ' -')"
    for n in 1 2 3 4; do
      run $n "$CS" score --in "$T/p.h5" --model "$T/$M.h5" --out "$T/o$n.h5" --lists "$T/L$n" \
        --block-rows 10000 $opts > "$T/stdout$n.txt" 2> "$T/err$n.txt" \
        || { cat "$T/err$n.txt"; fail "score $tag with $n ranks"; }
      [ -e "$T/o$n.h5.tmp" ] || [ -e "$T/L$n.tmp" ] && fail "temporary output left behind"
      sums "$T/o$n.h5" > "$T/sum$n.txt"
      timeout 60 "$CS" inspect "$T/o$n.h5" --json | grep -v '"file"\|"created"' > "$T/i$n.json" \
        || fail "inspect scores with $n ranks"
    done
    grep -q "written by its owner rank" "$T/err3.txt" || fail "$tag: lists not written by their owners"
    # rank 0's path, forced: the same lists
    CS_LISTS_ON_ROOT=1 run 3 "$CS" score --in "$T/p.h5" --model "$T/$M.h5" --out "$T/or.h5" --lists "$T/Lr" \
      --block-rows 10000 $opts > /dev/null 2> "$T/errr.txt" || { cat "$T/errr.txt"; fail "score $tag on rank 0"; }
    grep -q "written by rank 0 (CS_LISTS_ON_ROOT=1)" "$T/errr.txt" || fail "$tag: rank 0's path not taken"
    diff -r "$T/L1" "$T/Lr" > /dev/null || fail "$tag: lists differ between the owners' and rank 0's path"
    for n in 2 3 4; do
      diff -r "$T/L1" "$T/L$n" > /dev/null || fail "$tag: lists differ between 1 and $n ranks"
      cmp "$T/sum1.txt" "$T/sum$n.txt" || fail "$tag: SCORES.h5 datasets differ between 1 and $n ranks"
      cmp "$T/i1.json" "$T/i$n.json" || fail "$tag: inspect differs between 1 and $n ranks"
    done
    # what the lists must say, checked against SCORES.h5 (dumped as text: no h5py needed)
    dump "$T/o1.h5" /subscribers/id > "$T/id.txt"
    dump "$T/o1.h5" /subscribers/region > "$T/region.txt"
    dump "$T/o1.h5" /subscribers/phase > "$T/phase.txt"
    dump "$T/o1.h5" /subscribers/probability > "$T/prob.txt"
    dump "$T/o1.h5" /subscribers/value_at_risk > "$T/var.txt"
    dump "$T/o1.h5" /subscribers/tier > "$T/tier.txt"
    dump "$T/o1.h5" /subscribers/arpu > "$T/arpu.txt"
    # each churn type's probability, where the model has churn types (else no such datasets)
    for d in p_voluntary p_involuntary; do dump "$T/o1.h5" /subscribers/$d > "$T/$d.txt" 2> /dev/null || : > "$T/$d.txt"; done
    { h5dump -a collections_cutoff -m %.17g "$T/o1.h5" 2> /dev/null || :; } | sed -n 's/^ *(0): //p' > "$T/cut.txt"
[ -s "$T/cut.txt" ] || echo nan > "$T/cut.txt" # no churn types: no collections cut-off
    python3 - "$T" "$opts" <<'PY' || fail "$tag: list checks"
import csv, json, os, sys
T, opts = sys.argv[1], sys.argv[2]
top = int(opts.split()[1]) if opts.startswith("--top") else 0
by_var = "value_at_risk" in opts
ids = [int(x) for x in open(T + "/id.txt")]
reg = [int(x) for x in open(T + "/region.txt")]
ph = [int(x) for x in open(T + "/phase.txt")]
pr = [float(x) for x in open(T + "/prob.txt")]
va = [float(x) for x in open(T + "/var.txt")]
arr = [float(x) > 0 for x in open(T + "/arrears.txt")]
hb = [float(x) > 0 for x in open(T + "/highbill.txt")]
tier = {i: int(t) for i, t in zip(ids, open(T + "/tier.txt"))}
arpu = [float(x) for x in open(T + "/arpu.txt")]
# with churn types each type's probability, else pvol = probability and pinv unknown
types = os.path.getsize(T + "/p_voluntary.txt") > 0
pv = [float(x) for x in open(T + "/p_voluntary.txt")] if types else pr
pi = [float(x) for x in open(T + "/p_involuntary.txt")] if types else [None] * len(pr)
cut = float(open(T + "/cut.txt").read())  # the collections cut-off: the model's, by default
if types:
    # the model's cut-off is the --warn-top (5%) quantile of the holdout's p_involuntary, so the
    # predicted non-payers are about 5% of the base; the warning cut-off of p_voluntary, once used for
    # both, put half of a generated base in collections
    pred = sum(1 for i in range(len(pi)) if not arr[i] and not hb[i] and pi[i] >= cut and pi[i] > pv[i])
    assert 0.02 * len(pi) <= pred <= 0.08 * len(pi), (pred, len(pi), cut)
assert len(ids) == len(reg) == len(ph) == len(pr) == len(va) == len(arr) == len(hb) == len(pv) == 30011, len(ids)
assert all(0.0 <= p <= 1.0 for p in pr), "probability outside [0, 1]"
QUEUES = ("retention", "collections", "billing")
at = {v: i for i, v in enumerate(ids)}
# the queue rule (model/queue.h): billing, collections, retention, none
def queue(i):
    if hb[i]: return "billing"
    if arr[i] or (pi[i] is not None and pi[i] >= cut and pi[i] > pv[i]): return "collections"
    return "retention" if ph[i] != 0 else None
# the value at risk of a probability, as rules_value_at_risk computes it
def risk(p, i):
    return p * arpu[i] * 12.0 if arpu[i] > 0 else 0.0
# each queue's order: band (hard facts) first, then its key, then the id (SCORES.h5's exact values)
def order(q, i):
    band = {"retention": ph[i] == 2, "collections": arr[i], "billing": True}[q]
    key = {"retention": risk(pv[i], i) if by_var else pv[i], "collections": pr[i] if pi[i] is None else pi[i],
           "billing": va[i]}[q]
    return (-int(band), -key, ids[i])
summ = json.load(open(T + "/L1/summary.json"))
srows = list(csv.DictReader(open(T + "/L1/summary.csv", encoding="utf-8-sig")))
# the last row is the total (issue 15), the month-over-month columns empty without --previous-scores
stot, srows = srows[-1], srows[:-1]
assert stot["region_index"] == "" and stot["region"] == "total" and int(stot["listed"]) == summ["total"]["listed"], stot
assert stot["subscribers_last_month"] == stot["listed_change"] == stot["new_on_list"] == "", stot
assert len(summ["regions"]) == len(srows) == 18
assert summ["lang"] == "en" and summ["mask_ids"] is False
expect = {}
for i, r in enumerate(reg):
    q = queue(i)
    if q:
        expect.setdefault((r, q), []).append(i)
formula = tuple("=+-@")
seen = set()
for g, (rj, rc) in enumerate(zip(summ["regions"], srows)):
    assert int(rc["subscribers"]) == rj["subscribers"] == sum(1 for r in reg if r == g)
    assert rj["alarm"] == sum(1 for i, r in enumerate(reg) if r == g and ph[i] == 2)
    total = 0
    for q in QUEUES:
        qj = rj["queues"][q]
        assert qj["file"] == rc[q + "_file"] == "%02d-%s-%s.csv" % (g, rj["region"], q), (qj["file"], rc[q + "_file"])
        path = os.path.join(T, "L1", qj["file"])
        assert open(path, "rb").read(3) == b"\xef\xbb\xbf", "no byte order mark: " + path
        rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
        members = expect.get((g, q), [])
        assert qj["subscribers"] == int(rc[q]) == len(members), (g, q, qj["subscribers"], len(members))
        want = min(len(members), top) if top else len(members)
        assert len(rows) == qj["listed"] == int(rc[q + "_listed"]) == want, (g, q, len(rows), qj["listed"], want)
        assert qj["k"] == (top or None)
        total += len(rows)
        if g == 5:
            assert rj["subscribers"] == 0 and len(rows) == 0, "region 5 should be empty"
        # the K first of the queue's members in the queue's order, nobody twice, nobody else
        best = sorted(members, key=lambda i: order(q, i))[:want]
        got = [int(r["id"]) for r in rows]
        assert got == [ids[i] for i in best], "%s list of region %d is not its top %d in order" % (q, g, want)
        assert not seen & set(got), "a subscriber in two lists"
        seen |= set(got)
        for k, r in enumerate(rows):
            assert int(r["rank"]) == k + 1 and r["queue"] == {"billing": "billing check"}.get(q, q)
            assert r["phase"] in ("alarm", "warning", "healthy") and r["region"] == rj["region"]
            i = at[int(r["id"])]
            assert 0 <= float(r["probability"]) <= 1 and r["p_voluntary"] == "%.6f" % pv[i]
            assert r["p_involuntary"] == ("" if pi[i] is None else "%.6f" % pi[i])
            assert r["action_code"] and r["action"] and r["channel"], r
            GN = ["unknown", "diamond", "gold", "silver", "standard", "basic"]  # grade 1 the most valuable
            assert r["grade"] == GN[tier[int(r["id"])]], "grade differs from SCORES.h5"
            if q == "billing": assert r["action_code"] == "BILL_REVIEW"
            if q == "collections": assert r["action_code"] == "COLLECT"
            for v in r.values():
                assert not v.startswith(formula), "field starts a formula: %r" % v
    assert total == rj["listed"] == int(rc["listed"]), (g, total, rj["listed"])
assert summ["validation"] is not None and 0.5 < summ["validation"]["auc"] <= 1.0
print("lists ok", opts or "(all)")
PY
    python3 - "$T/i1.json" <<'PY' || fail "$tag: inspect --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["kind"] == "scores" and j["subscribers"] == 30011, j
v = j["validation"]
assert v is not None and v["n"] == 30011 and 0.5 < v["auc"] <= 1 and v["lift_top10"] > 1, v
assert j["regions"][5]["subscribers"] == 0
PY
  done
  # churn types: the trained model has them (generate writes churn_type), the hand-made one not;
  # with them every row's p_voluntary and p_involuntary lie in [0, 1] and sum to at most 1
  grep -q "p_voluntary" "$T/sum1.txt" && has=1 || has=0
  echo "$M: churn types in SCORES.h5: $has"
  [ "$M" = tm ] && [ $has = 0 ] && fail "scores of a model with churn types lack p_voluntary"
  [ "$M" = hm ] && [ $has = 1 ] && fail "scores of a model without churn types have p_voluntary"
  grep -q "\"churn_types\": $([ $has = 1 ] && echo true || echo false)" "$T/i1.json" || fail "$M: inspect churn_types"
  if [ $has = 1 ]; then
    dump "$T/o1.h5" /subscribers/p_voluntary > "$T/pv.txt"
    dump "$T/o1.h5" /subscribers/p_involuntary > "$T/pi.txt"
    python3 - "$T" <<'PY' || fail "$M: churn-type probabilities"
import sys
T = sys.argv[1]
pv = [float(x) for x in open(T + "/pv.txt")]
pi = [float(x) for x in open(T + "/pi.txt")]
pr = [float(x) for x in open(T + "/prob.txt")]
assert len(pv) == len(pi) == len(pr) == 30011
assert all(0 <= a <= 1 and 0 <= b <= 1 and a + b <= 1 for a, b in zip(pv, pi)), "type probabilities"
# calibrated to the same leavers: together they expect about as many as the churn model
assert abs(sum(pv) + sum(pi) - sum(pr)) < 0.05 * sum(pr), (sum(pv), sum(pi), sum(pr))
PY
  fi
done

# the lists with 5 ranks; an owner over --memory (the figure the owners' path logs, less one byte)
# falls back to rank 0's chunked merge; all the same bytes
run 5 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/o5.h5" --lists "$T/L5" > /dev/null 2> "$T/err5.txt" \
  || { cat "$T/err5.txt"; fail "score with 5 ranks"; }
need=$(sed -n 's/.*list memory up to \([0-9]*\) bytes per rank.*/\1/p' "$T/err5.txt")
[ -n "$need" ] || { cat "$T/err5.txt"; fail "5 ranks: lists not written by their owners"; }
run 5 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/o5m.h5" --lists "$T/L5m" --memory $((need - 1)) \
  > /dev/null 2> "$T/err5m.txt" || { cat "$T/err5m.txt"; fail "score with 5 ranks and --memory $((need - 1))"; }
grep -q "written by rank 0 in chunks: a region owner would hold $need bytes" "$T/err5m.txt" \
  || { cat "$T/err5m.txt"; fail "over --memory: rank 0's path not taken"; }
run 1 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/o1a.h5" --lists "$T/L1a" --quiet > /dev/null \
  || fail "score with 1 rank"
diff -r "$T/L1a" "$T/L5" > /dev/null || fail "lists differ between 1 and 5 ranks"
diff -r "$T/L1a" "$T/L5m" > /dev/null || fail "lists differ between the owners' path and rank 0's over --memory"
# ranks that do not see rank 0's lists directory (as with node-local disks): ranks 1-2 start in
# another directory, so the relative --lists names another DIR.tmp there, a stale one whose probe
# holds another run's token; rank 0 writes everything, nothing is written in the other directory
mkdir -p "$T/w0" "$T/w1/Lw.tmp" && echo 0000000000000001 > "$T/w1/Lw.tmp/.probe"
args=(score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/ow.h5" --lists Lw)
timeout 300 mpirun --oversubscribe -n 1 --wdir "$T/w0" "$CS" "${args[@]}" : -n 2 --wdir "$T/w1" "$CS" "${args[@]}" \
  > /dev/null 2> "$T/errw.txt" || { cat "$T/errw.txt"; fail "score with ranks in other directories"; }
grep -q "written by rank 0: not every rank sees Lw.tmp" "$T/errw.txt" || { cat "$T/errw.txt"; fail "unseen lists directory"; }
diff -r "$T/L1a" "$T/w0/Lw" > /dev/null || fail "lists differ when some ranks do not see the directory"
[ "$(ls -A "$T/w1/Lw.tmp")" = .probe ] || fail "ranks that do not see the lists directory wrote there"
# more ranks than regions: 3 regions, 5 ranks (two own no region), either path
run 1 "$CS" generate --out "$T/r3.h5" --subscribers 7001 --regions 3 --seed 5 --quiet || fail "generate 3 regions"
for v in 1 5 5r; do
  env=""; [ "$v" = 5r ] && env="CS_LISTS_ON_ROOT=1"
  env $env timeout 300 mpirun --oversubscribe -n "${v%r}" "$CS" score --in "$T/r3.h5" --model "$T/hm.h5" \
    --out "$T/o3r$v.h5" --lists "$T/L3r$v" --top 50 --quiet > /dev/null || fail "score 3 regions, $v ranks"
done
[ "$(ls "$T/L3r1" | grep -c '^[0-9][0-9]-.*-\(retention\|collections\|billing\)\.csv$')" = 9 ] \
  || fail "3 regions: expected 3 lists (retention, collections, billing) of each region"
diff -r "$T/L3r1" "$T/L3r5" > /dev/null || fail "3 regions: lists differ between 1 and 5 ranks"
diff -r "$T/L3r1" "$T/L3r5r" > /dev/null || fail "3 regions: lists differ on rank 0's path"

# indicators matched by name: the original column order gives the same probabilities
run 2 "$CS" score --in "$T/s.h5" --model "$T/hm.h5" --out "$T/os.h5" --lists "$T/Ls" --quiet > /dev/null \
  || fail "score original order"
run 3 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/op.h5" --lists "$T/Lp" --quiet > /dev/null \
  || fail "score reversed order"
for d in /subscribers/probability /subscribers/reasons /subscribers/stage /subscribers/phase /subscribers/arpu; do
  [ "$(dsum "$T/os.h5" $d)" = "$(dsum "$T/op.h5" $d)" ] || fail "$d depends on the column order"
done

# brands matched by name: the same subscribers with the brand list stored in reverse order score the
# same with a trained model (which has brand dummies)
if [ "$MODELS" = "hm tm" ]; then
  "$KIT" permute "$T/s.h5" "$T/rb.h5" --reverse-brands || fail "scorekit permute --reverse-brands"
  run 2 "$CS" score --in "$T/s.h5" --model "$T/tm.h5" --out "$T/ob1.h5" --lists "$T/Lb1" --quiet > /dev/null \
    || fail "score (trained model)"
  run 2 "$CS" score --in "$T/rb.h5" --model "$T/tm.h5" --out "$T/ob2.h5" --lists "$T/Lb2" --quiet > /dev/null \
    || fail "score (brands reversed)"
  [ "$(dsum "$T/ob1.h5" /subscribers/probability)" = "$(dsum "$T/ob2.h5" /subscribers/probability)" ] \
    || fail "probabilities depend on the order of the brand names"
fi

# --mask-ids: only the last 4 digits remain, the lists are otherwise the same
run 2 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/om.h5" --lists "$T/Lm" --mask-ids --quiet \
  > /dev/null || fail "score --mask-ids"
python3 - "$T/Lp" "$T/Lm" <<'PY' || fail "--mask-ids"
import csv, os, sys
a, b = sys.argv[1], sys.argv[2]
for f in sorted(os.listdir(a)):
    if not f.endswith(".csv") or f.startswith("summary"):
        continue
    ra = list(csv.DictReader(open(os.path.join(a, f), encoding="utf-8-sig")))
    rb = list(csv.DictReader(open(os.path.join(b, f), encoding="utf-8-sig")))
    assert len(ra) == len(rb)
    for x, y in zip(ra, rb):
        assert y["id"] == "*" * (len(x["id"]) - 4) + x["id"][-4:], (x["id"], y["id"])
        assert {k: v for k, v in x.items() if k != "id"} == {k: v for k, v in y.items() if k != "id"}
PY

# validation on a capped hash sample: exactly --validate-max rows, the same for any rank count
for n in 1 3; do
  run $n "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/ov$n.h5" --lists "$T/Lv$n" \
    --validate-max 5000 --quiet > /dev/null || fail "score --validate-max with $n ranks"
  run 1 "$CS" inspect "$T/ov$n.h5" --json | grep -v '"file"\|"created"' > "$T/iv$n.json"
done
cmp "$T/iv1.json" "$T/iv3.json" || fail "sampled validation differs between 1 and 3 ranks"
python3 -c "import json,sys; v=json.load(open(sys.argv[1]))['validation']; assert v['n']==5000 and v['labelled']==30011, v" \
  "$T/iv1.json" || fail "validation sample size"

# without labels: no validation
run 2 "$CS" score --in "$T/u.h5" --model "$T/hm.h5" --out "$T/ou.h5" --lists "$T/Lu" --quiet > /dev/null \
  || fail "score unlabelled"
run 1 "$CS" inspect "$T/ou.h5" --json > "$T/iu.json"
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['validation'] is None, j['validation']" \
  "$T/iu.json" || fail "validation should be null without labels"
python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['validation'] is None" "$T/Lu/summary.json" \
  || fail "summary validation should be null"

# fewer subscribers than ranks: the same lists and datasets
run 1 "$CS" generate --out "$T/tiny.h5" --subscribers 3 --quiet || fail "generate tiny"
for n in 1 4; do
  run $n "$CS" score --in "$T/tiny.h5" --model "$T/hm.h5" --out "$T/ot$n.h5" --lists "$T/Lt$n" --quiet \
    > /dev/null || fail "score 3 subscribers with $n ranks"
done
diff -r "$T/Lt1" "$T/Lt4" > /dev/null || fail "tiny: lists differ between 1 and 4 ranks"
[ "$(dsum "$T/ot1.h5" /subscribers/probability)" = "$(dsum "$T/ot4.h5" /subscribers/probability)" ] \
  || fail "tiny: probabilities differ between 1 and 4 ranks"

# a second run replaces a lists directory; it refuses to replace anything else
run 2 "$CS" score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/op.h5" --lists "$T/Lp" --quiet > /dev/null \
  || fail "re-running into the same lists directory"

# bad input: one message, non-zero exit, no output left behind
expect_fail() { # expect_fail PATTERN RANKS ARGS...
  local pat=$1 n=$2; shift 2
  rm -rf "$T/bad.h5" "$T/bad.h5.tmp" "$T/Lbad.tmp"
  [ "${KEEP_LBAD:-0}" = 0 ] && rm -rf "$T/Lbad"
  if run "$n" "$CS" "$@" > "$T/out.txt" 2> "$T/err.txt"; then fail "succeeded: $*"; fi
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "message lacks '$pat': $*"; }
  [ "$(grep -c 'churnscore: error' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "not exactly one error line: $*"; }
  [ -e "$T/bad.h5" ] || [ -e "$T/bad.h5.tmp" ] || [ -e "$T/Lbad.tmp" ] && fail "output left behind: $*"
  [ -e "$T/Lbad" ] && [ "${KEEP_LBAD:-0}" = 0 ] && fail "lists left behind: $*"
  return 0
}
"$KIT" model "$T/s.h5" "$T/miss.h5" mou_m3 no_such_indicator dual_sim || fail "scorekit model (missing)"
expect_fail "p.h5: indicator 'no_such_indicator' needed by $T/miss.h5 is missing" 3 \
  score --in "$T/p.h5" --model "$T/miss.h5" --out "$T/bad.h5" --lists "$T/Lbad"
expect_fail "s.h5: is a 'churnscore-snapshot' file, not a model" 2 \
  score --in "$T/p.h5" --model "$T/s.h5" --out "$T/bad.h5" --lists "$T/Lbad"
# a model trained before the collections cut-off was kept: scored with the warning cut-off, as it
# always was, and score says so
if [ -e "$T/tm.h5" ]; then
  cp "$T/tm.h5" "$T/old.h5"
  /usr/bin/python3 -c 'import sys, h5py; del h5py.File(sys.argv[1], "r+")["/types"].attrs["collections_cutoff"]' "$T/old.h5" \
    || fail "h5py: cannot remove the attribute"
  run 2 "$CS" score --in "$T/p.h5" --model "$T/old.h5" --out "$T/old_s.h5" --lists "$T/Lold" > /dev/null 2> "$T/old.err" \
    || { cat "$T/old.err"; fail "score with a model without a collections cut-off"; }
  has "has no collections cut-off (trained before it was kept)" "$T/old.err" || { cat "$T/old.err"; fail "old model: no notice"; }
  a=$(h5dump -a collections_cutoff -m %.17g "$T/old_s.h5" | sed -n 's/^ *(0): //p')
  b=$(h5dump -a warn_cutoff -m %.17g "$T/old_s.h5" | sed -n 's/^ *(0): //p')
  c=$(h5dump -a /types/collections_cutoff -m %.17g "$T/tm.h5" | sed -n 's/^ *(0): //p')
  [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != "$c" ] || fail "old model: collections cut at $a, warning cut-off $b, model's $c"
fi
echo "not hdf5" > "$T/text.h5"
expect_fail "text.h5: not an HDF5 file" 2 score --in "$T/p.h5" --model "$T/text.h5" --out "$T/bad.h5" --lists "$T/Lbad"
expect_fail "missing.h5: cannot open" 2 score --in "$T/missing.h5" --model "$T/hm.h5" --out "$T/bad.h5" --lists "$T/Lbad"
expect_fail "option --rank-by" 2 score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/bad.h5" --lists "$T/Lbad" --rank-by age
expect_fail "option --lists is required" 2 score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/bad.h5"
expect_fail "over --memory 1000" 2 score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/bad.h5" \
  --lists "$T/Lbad" --memory 1000
mkdir -p "$T/Lbad" && echo "precious" > "$T/Lbad/notes.txt"
KEEP_LBAD=1 expect_fail "Lbad: exists and is not a lists directory" 2 \
  score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/bad.h5" --lists "$T/Lbad"
[ "$(cat "$T/Lbad/notes.txt")" = precious ] || fail "a directory that is not ours was touched"
rm -rf "$T/Lbad"
# a bad region index in the last rows: only the last rank sees it, all stop with one message
"$BUILD/badfiles" "$T/s.h5" "$T" || fail "badfiles"
expect_fail "region.h5: /subscribers/region row" 4 score --in "$T/region.h5" --model "$T/hm.h5" \
  --out "$T/bad.h5" --lists "$T/Lbad"
# a list write failing on one owner rank: all stop with its one message, nothing committed
CS_TEST_LISTS_FAIL_RANK=2 expect_fail "rank 2: [a-z]* list of region .*: cannot write: failure injected" 4 \
  score --in "$T/p.h5" --model "$T/hm.h5" --out "$T/bad.h5" --lists "$T/Lbad"
echo "score: identical for 1-5 ranks and on either list path; lists sorted and complete; bad input refused"

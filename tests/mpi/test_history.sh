#!/bin/bash
# RUNS/history.csv and .json (issue 15): three months through scripts/run-month.sh add one row each,
# in month order; a --force-rerun of the middle month (with another control share) replaces its row
# with the rerun's figures; a fourth month that fails at score adds nothing (both files unchanged,
# byte for byte); the figures are those of the month's own files (evaluation.csv,
# evaluation-effect.csv, lists/summary.json, lists/drift.csv); report.md shows the months as a table.
source "$(dirname "$0")/common.sh"
export CHURNSCORE=$CS CS_LANG=en CS_MPIRUN="mpirun --oversubscribe"
RUNM="$(dirname "$0")/../../scripts/run-month.sh"
run 1 "$CS" generate --out "$T/m1.h5" --subscribers 20000 --regions 3 --seed 9 --month 2026-10 --quiet || fail "generate"
for m in 2 3 4; do run 1 "$CS" generate --follows "$T/m$((m - 1)).h5" --out "$T/m$m.h5" --quiet || fail "generate m$m"; done
R=$T/runs
"$RUNM" --month 2026-10 --snapshot "$T/m1.h5" --train "$T/m1.h5" --runs "$R" --ranks 2 > "$T/l1" 2>&1 || { tail "$T/l1"; fail "month 1"; }
"$RUNM" --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" --ranks 2 > "$T/l2" 2>&1 || { tail "$T/l2"; fail "month 2"; }
"$RUNM" --month 2026-12 --snapshot "$T/m3.h5" --runs "$R" --ranks 2 > "$T/l3" 2>&1 || { tail "$T/l3"; fail "month 3"; }
[ "$(wc -l < "$R/history.csv")" = 4 ] || { cat "$R/history.csv"; fail "three months, not three rows"; }
cp "$R/history.csv" "$T/h3.csv"
# the middle month again, with a control share of 0.2
CS_CONTROL=0.2 "$RUNM" --month 2026-11 --snapshot "$T/m2.h5" --runs "$R" --ranks 2 --force-rerun > "$T/l2b" 2>&1 \
  || { tail "$T/l2b"; fail "rerun of month 2"; }
cp "$R/history.csv" "$T/h3b.csv"; cp "$R/history.json" "$T/h3b.json"
# a fourth month whose score fails
rc=0; CS_SCORE_OPTS="--top 0.5" "$RUNM" --month 2027-01 --snapshot "$T/m4.h5" --runs "$R" --ranks 2 > "$T/l4" 2>&1 || rc=$?
[ "$rc" = 1 ] || { tail "$T/l4"; fail "the fourth month should fail at score (1), got $rc"; }
cmp "$R/history.csv" "$T/h3b.csv" || fail "a failed month changed history.csv"
cmp "$R/history.json" "$T/h3b.json" || fail "a failed month changed history.json"
python3 - "$R" "$T/h3.csv" <<'PY' || fail "history against the months' files"
import csv, json, sys
R = sys.argv[1]
h = list(csv.DictReader(open(R + "/history.csv")))
assert [r["month"] for r in h] == ["2026-10", "2026-11", "2026-12"], [r["month"] for r in h]
old = {r["month"]: r for r in csv.DictReader(open(sys.argv[2]))}
j = json.load(open(R + "/history.json"))
assert j["kind"] == "history" and [m["month"] for m in j["months"]] == ["2026-10", "2026-11", "2026-12"]
for r, m in zip(h, j["months"]):
    s = json.load(open("%s/%s/lists/summary.json" % (R, r["month"])))
    t = s["total"]["queues"]
    assert int(r["listed_retention"]) == t["retention"]["listed"] == m["listed_retention"]
    assert int(r["listed_collections"]) == t["collections"]["listed"]
    held = sum(x["queues"]["retention"].get("control", 0) for x in s["regions"])
    assert int(r["control"]) == held == m["control"], (r["control"], held)
    assert abs(float(r["validation_auc"]) - s["validation"]["auc"]) < 1e-12
    drift = {d["input"]: float(d["psi"]) for d in csv.DictReader(open("%s/%s/lists/drift.csv" % (R, r["month"])))}
    assert float(r["score_psi"]) == drift.pop("churn probability")
    assert float(r["largest_input_psi"]) == max(drift.values())
    assert r["retrained"] == ("retrained" if r["month"] == "2026-10" else "reused") and r["model_month"] == "2026-10"
    if r["month"] == "2026-10":
        assert r["evaluated_month"] == "" and m["uplift"] is None
        continue
    ev = [e for e in csv.DictReader(open("%s/%s/evaluation.csv" % (R, r["month"])))
          if e["scope"] == "overall" and e["breakdown"] == "all"][0]
    assert r["lift"] == ev["lift"] and r["precision"] == ev["precision"], (r, ev)
    fx = [e for e in csv.DictReader(open("%s/%s/evaluation-effect.csv" % (R, r["month"])))
          if e["scope"] == "overall" and e["breakdown"] == "all" and e["treated"] == "listed"][0]
    for k in ("uplift", "uplift_lo95", "uplift_hi95", "saved_value"):
        assert r[k] == fx[k] and abs(m[k] - float(fx[k])) < 1e-9 * max(1, abs(m[k])), (k, r[k], fx[k])
# the rerun's figures: the control group of the middle month grew with its share
assert int(h[1]["control"]) > int(old["2026-11"]["control"]), (h[1]["control"], old["2026-11"]["control"])
assert h[0] == old["2026-10"] and h[2] == old["2026-12"]
print("history: 3 rows; the rerun's control group %s (was %s)" % (h[1]["control"], old["2026-11"]["control"]))
PY
has "^## History (the last 12 months)" "$R/2026-12/report.md" || fail "report.md has no history"
[ "$(grep -c '^| 2026-1[012] ' "$R/2026-12/report.md")" = 3 ] || fail "report.md's history does not show 3 months"
has "^Trend: AUC " "$R/2026-12/report.md" || fail "report.md has no trend"
echo "test_history: ok"

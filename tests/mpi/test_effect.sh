#!/bin/bash
# The retention effect (issue 15): score --control splits each region's retention list into the list
# and its control group (disjoint, union the unsplit list, every phase x tier within one subscriber
# of the share, the same bytes at 1 and 3 ranks; tests/mpi/effectcheck.py, no shared code); a
# three-month generated chain of 200,000 subscribers with fixed seeds, the middle and last months
# generated with generate --treated (effect 0.3, and 0), whose evaluate uplift intervals cover the
# true effect (the generator's treated_expected_uplift), and 0 with effect 0; the evaluation
# recomputed independently, also by playbook action (evaluate --scores); --contacts and its bad input (unknown ids counted, not fatal; a duplicate
# id, a missing column, a date not in the month, --control outside [0, 0.5]: one message each, no
# output left).
source "$(dirname "$0")/common.sh"
CHECK="python3 $(dirname "$0")/effectcheck.py"
N=200000
run 2 "$CS" generate --out "$T/m1.h5" --subscribers $N --regions 4 --seed 11 --month 2026-10 --quiet || fail "generate m1"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/model.h5" --model-kind logit --quiet > /dev/null || fail "train"
mkdir -p "$T/base"
for n in 1 3; do
  run $n "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/s$n.h5" --lists "$T/L$n" --control 0.1 \
    --quiet > /dev/null || fail "score --control 0.1 with $n ranks"
done
diff -r "$T/L1" "$T/L3" > /dev/null || fail "the lists with control groups differ between 1 and 3 ranks"
run 2 "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/s0.h5" --lists "$T/L0" --control 0 \
  --quiet > /dev/null || fail "score --control 0"
ls "$T/L0" | has -v control || true
[ -z "$(ls "$T/L0" | grep control || true)" ] || fail "--control 0 wrote a control file"
$CHECK split "$T/L0" "$T/L1" 0.1 || fail "the control groups"
mkdir -p "$T/runs/2026-10" && cp -r "$T/L1" "$T/runs/2026-10/lists"

for E in 0.3 0; do
  R="$T/runs$E"
  mkdir -p "$R/2026-11"
  run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2_$E.h5" --treated "$T/runs/2026-10" \
    --treatment-effect $E --quiet || fail "generate m2 (effect $E)"
  run 2 "$CS" score --in "$T/m2_$E.h5" --model "$T/model.h5" --out "$T/s2_$E.h5" --lists "$R/2026-11/lists" \
    --control 0.1 --quiet > /dev/null || fail "score m2 (effect $E)"
  run 2 "$CS" generate --follows "$T/m2_$E.h5" --out "$T/m3_$E.h5" --treated "$R/2026-11" \
    --treatment-effect $E --quiet || fail "generate m3 (effect $E)"
  run 2 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2_$E.h5" --absent-means-churned --previous "$T/m1.h5" \
    --out "$T/ev1_$E" > "$T/ev1_$E.txt" 2> "$T/ev1_$E.err" || { cat "$T/ev1_$E.err"; fail "evaluate 2026-10 (effect $E)"; }
  run 2 "$CS" evaluate --lists "$R/2026-11/lists" --outcomes "$T/m3_$E.h5" --absent-means-churned \
    --previous "$T/m2_$E.h5" --out "$T/ev2_$E" > /dev/null 2>&1 || fail "evaluate 2026-11 (effect $E)"
  has "retention effect" "$T/ev1_$E.txt" || fail "no effect table printed"
  if [ "$E" = 0 ]; then truth=(--truth-zero); else truth=(--truth "$T/m2_$E.h5"); fi
  $CHECK effect "$T/L1" "$T/m2_$E.h5" "$T/ev1_$E-effect.csv" "${truth[@]}" || fail "2026-10's effect (effect $E)"
  if [ "$E" = 0 ]; then truth=(--truth-zero); else truth=(--truth "$T/m3_$E.h5"); fi
  $CHECK effect "$R/2026-11/lists" "$T/m3_$E.h5" "$T/ev2_$E-effect.csv" "${truth[@]}" || fail "2026-11's effect (effect $E)"
done
# the truth: effect 0 keeps nobody; 0.3 keeps some of the treated voluntary leavers
h5dump -a /treated_kept "$T/m2_0.h5" | has "(0): 0$" || fail "effect 0 kept someone"
h5dump -a /treated_kept "$T/m2_0.3.h5" | has -E "\(0\): [1-9]" || fail "effect 0.3 kept nobody"
# the same treated snapshot at 3 ranks
run 3 "$CS" generate --follows "$T/m1.h5" --out "$T/m2_3r.h5" --treated "$T/runs/2026-10" --treatment-effect 0.3 \
  --quiet || fail "generate --treated with 3 ranks"
h5diff "$T/m2_0.3.h5" "$T/m2_3r.h5" || fail "generate --treated differs between 2 and 3 ranks"
# the effect at 1 and 3 ranks: the same bytes; with the scored month's scores also by playbook action
# (the control subscribers by the action they would have had), recomputed independently
run 1 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2_0.3.h5" --absent-means-churned --previous "$T/m1.h5" \
  --scores "$T/s1.h5" --out "$T/e1r" > /dev/null 2>&1 || fail "evaluate, 1 rank"
run 3 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2_0.3.h5" --absent-means-churned --previous "$T/m1.h5" \
  --scores "$T/s1.h5" --out "$T/e3r" > /dev/null 2>&1 || fail "evaluate, 3 ranks"
for x in -effect.csv -effect.json .csv; do cmp "$T/e1r$x" "$T/e3r$x" || fail "evaluate$x differs between 1 and 3 ranks"; done
$CHECK actions "$T/L1" "$T/m2_0.3.h5" "$T/e1r-effect.csv" "$T/s1.h5" || fail "the effect by action"

# --contacts: the first half of every retention list reached in November, a third of them accepted,
# two control subscribers reached, and two ids on no list
python3 - "$T/L1" "$T/contacts.csv" <<'PY'
import csv, glob, sys
out = csv.writer(open(sys.argv[2], "w", newline=""))
out.writerow(["id", "contacted", "accepted", "action_code", "date"])
for path in sorted(glob.glob(sys.argv[1] + "/*-retention.csv")):
    rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
    for i, r in enumerate(rows):
        c = int(i < len(rows) // 2)
        out.writerow([r["id"], c, int(c and i % 3 == 0), r["action_code"], "2026-11-%02d" % (1 + i % 28)])
for path in sorted(glob.glob(sys.argv[1] + "/*-retention-control.csv"))[:2]:
    r = next(csv.DictReader(open(path, encoding="utf-8-sig")))
    out.writerow([r["id"], 1, 0, "R1", "2026-11-03"])
out.writerow(["1", 1, 0, "R1", "2026-11-04"])
out.writerow(["2", 0, 0, "", ""])
PY
run 2 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2_0.3.h5" --absent-means-churned --previous "$T/m1.h5" \
  --contacts "$T/contacts.csv" --out "$T/ec" > "$T/ec.txt" 2> "$T/ec.err" || { cat "$T/ec.err"; fail "evaluate --contacts"; }
has "2 ids on no list" "$T/ec.txt" || { cat "$T/ec.txt"; fail "unknown contact ids not reported"; }
has "2 control subscribers contacted" "$T/ec.txt" || fail "contacted control subscribers not reported"
python3 - "$T/ec-effect.json" "$T/contacts.csv" <<'PY' || fail "the contacted arm"
import csv, json, sys
d = json.load(open(sys.argv[1]))
con = [r for r in csv.DictReader(open(sys.argv[2])) if r["contacted"] == "1"]
acc = [r for r in con if r["accepted"] == "1"]
rows = {(r["treated"], r["scope"], r["breakdown"]): r for r in d["rows"]}
c = rows[("contacted", "overall", "all")]
a = rows[("accepted", "overall", "all")]
assert d["contacts"]["unknown_ids"] == 2 and d["contacts"]["control_contacted"] == 2, d["contacts"]
assert c["treated_arm"]["listed"] == len(con) - 3, (c["treated_arm"], len(con))  # 2 control, 1 unknown
assert a["treated_arm"]["listed"] == len(acc), (a["treated_arm"], len(acc))
assert c["control"] == rows[("listed", "overall", "all")]["control"]
PY

# bad input: one message each, the documented code, no output left
bad() {  # bad CODE PATTERN ARGS...: evaluate --contacts fails with CODE saying PATTERN
  local code=$1 pat=$2 rc=0; shift 2
  run 2 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2_0.3.h5" --absent-means-churned --out "$T/bad" "$@" \
    > /dev/null 2> "$T/bad.err" || rc=$?
  [ "$rc" = "$code" ] || { cat "$T/bad.err"; fail "expected exit $code, got $rc ($pat)"; }
  has -- "$pat" "$T/bad.err" || { cat "$T/bad.err"; fail "message lacks '$pat'"; }
  [ -z "$(ls "$T" | grep '^bad\.\|^bad-' | grep -v bad.err || true)" ] || fail "output left after a failure ($pat)"
}
{ head -1 "$T/contacts.csv"; sed -n 2p "$T/contacts.csv"; sed -n 2p "$T/contacts.csv"; } > "$T/dup.csv"
bad 5 "appears twice" --contacts "$T/dup.csv"
cut -d, -f1,2,3,4 "$T/contacts.csv" > "$T/nodate.csv"
bad 4 "has no column 'date' (--contacts-date" --contacts "$T/nodate.csv"
sed '2s/2026-11-[0-9][0-9]/2026-12-01/' "$T/contacts.csv" > "$T/late.csv"
bad 5 "is not in 2026-11, the month the lists of 2026-10 were worked" --contacts "$T/late.csv"
bad 4 "has no column 'called'" --contacts "$T/contacts.csv" --contacts-contacted called
rc=0; run 1 "$CS" score --in "$T/m1.h5" --model "$T/model.h5" --out "$T/x.h5" --lists "$T/Lx" --control 0.7 \
  > /dev/null 2> "$T/x.err" || rc=$?
[ "$rc" = 1 ] && has "option --control: '0.7' is out of range (0 to 0.5)" "$T/x.err" || { cat "$T/x.err"; fail "--control 0.7"; }
[ ! -e "$T/x.h5" ] && [ ! -e "$T/Lx" ] || fail "--control 0.7 left output"
rc=0; run 1 "$CS" generate --out "$T/y.h5" --treated "$T/runs/2026-10" > /dev/null 2> "$T/y.err" || rc=$?
[ "$rc" = 1 ] && has "option --treated goes with --follows" "$T/y.err" || { cat "$T/y.err"; fail "--treated without --follows"; }
rc=0; run 1 "$CS" generate --follows "$T/m2_0.h5" --out "$T/y.h5" --treated "$T/runs/2026-10" > /dev/null 2> "$T/y.err" || rc=$?
[ "$rc" = 1 ] && has "the lists are of 2026-10 but --follows is of 2026-11" "$T/y.err" || { cat "$T/y.err"; fail "--treated of another month"; }
[ ! -e "$T/y.h5" ] || fail "a refused generate left output"
echo "test_effect: ok"

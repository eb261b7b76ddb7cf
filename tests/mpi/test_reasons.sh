#!/bin/bash
# reasons, stages and phases true of the row (issue 14, items 3 to 5), over a whole generated month: a
# model trained on 50k generated subscribers scores them at 1 and 3 ranks; the lists and SCORES.h5's
# reasons (codes and values), stages and phases are the same bytes; and every listed row's reason
# texts hold on the row's features in the snapshot (joined by id), its stage and phase are the
# documented rules' and no row has a stage its reasons contradict (tests/mpi/reasoncheck.py, which
# parses the texts back and re-derives each claim; it needs h5py: /usr/bin/python3, python3-h5py).
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
"$PY" -c "import h5py" 2>/dev/null || fail "h5py missing: apt-get install python3-h5py (scripts/setup.sh)"
run 2 "$CS" generate --out "$T/s.h5" --subscribers 50000 --seed 23 --quiet || fail "generate"
run 2 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --quiet > /dev/null || fail "train"
for n in 1 3; do
  run $n "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/o$n.h5" --lists "$T/L$n" --quiet > /dev/null \
    || fail "score with $n ranks"
done
diff -r "$T/L1" "$T/L3" > /dev/null || fail "lists differ between 1 and 3 ranks"
for d in /subscribers/reasons /subscribers/reason_values /subscribers/stage /subscribers/phase /reasons/text \
  /reasons/name; do
  [ "$(dsum "$T/o1.h5" $d)" = "$(dsum "$T/o3.h5" $d)" ] || fail "$d differs between 1 and 3 ranks"
done
"$PY" "$SRC/tests/mpi/reasoncheck.py" "$T/s.h5" "$T/o1.h5" "$T/m.h5" "$T/L1" --min-facts 3000 \
  || fail "the lists' reasons, stages or phases"
# the checker fails on a reason the row does not have (a day more than the row's idle days)
f=$(grep -l "no outgoing call for [0-9]* days" "$T/L1"/[0-9]*.csv | sed -n 1p)
[ -n "$f" ] || fail "no idle-days reason in the lists"
cp -r "$T/L1" "$T/Lx"
"$PY" - "$T/Lx/$(basename "$f")" <<'PY'
import re, sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
t = re.sub(r"no outgoing call for (\d+) days", lambda m: "no outgoing call for %d days" % (int(m.group(1)) + 1), t, count=1)
open(p, "w", encoding="utf-8").write(t)
PY
if "$PY" "$SRC/tests/mpi/reasoncheck.py" "$T/s.h5" "$T/o1.h5" "$T/m.h5" "$T/Lx" > "$T/x.txt" 2>&1; then
  fail "the checker accepts a reason the row does not have"
fi
grep -q "does not hold: days without a call" "$T/x.txt" || { cat "$T/x.txt"; fail "the checker's message"; }
echo "reasons: every listed row's reasons hold on its features; stages and phases by the rules; 1 = 3 ranks"

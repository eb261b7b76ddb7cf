#!/bin/bash
# The at-scale benchmark script itself, at 1M subscribers (its 100M runs are opt-in): both modes must
# run end to end under a memory budget and report every stage: from a generated snapshot (train and
# score), and as an operator's month from the CSV extract (import, train, score with lists, analyze).
source "$(dirname "$0")/common.sh"
CHURNSCORE="$CS" bash "$CS_SRC/scripts/bench-scale.sh" 1000000 2 1G "$T" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; fail "bench-scale"; }
for s in "holdout" "passes" "peak memory/rank" "train+score"; do
  has "$s" "$T/out.txt" || { cat "$T/out.txt"; fail "bench-scale output lacks '$s'"; }
done
CHURNSCORE="$CS" bash "$CS_SRC/scripts/bench-scale.sh" 1000000 2 1G "$T/csv" csv > "$T/csv.txt" 2>&1 || { cat "$T/csv.txt"; fail "bench-scale csv"; }
for s in "^import  " "^train  " "^score  " "^analyze  " "^total  " "1000000 rows x 50 columns" "analyses: [1-9]"; do
  has "$s" "$T/csv.txt" || { cat "$T/csv.txt"; fail "bench-scale csv output lacks '$s'"; }
done
# the chain's outputs are there: an imported snapshot of every row, lists, the analyses' report
has "1000000 subscribers" "$T/csv/train.err" || { cat "$T/csv/train.err"; fail "train did not read the 1M imported rows"; }
[ -s "$T/csv/analyses/report.md" ] && [ -s "$T/csv/lists/summary.csv" ] || fail "bench-scale csv: no report.md or summary.csv"
echo "bench-scale at 1M (snapshot and csv): ok"

#!/bin/bash
# select: hand-written --where conditions over a generated month with areas give exactly the rows, in
# exactly the order, that an independent numpy computation from the snapshot and SCORES.h5 gives
# (tests/mpi/selectcheck.py), the same bytes at 1 and 3 ranks; one queue of one region is, byte for
# byte, score's own list of it; --top keeps the first K; the check itself can fail; and each wrong
# condition (an unknown name, an unclosed quote, a region that does not exist, a text compared with a
# number, a name of names compared with a number) gives exit 1, one message with the column of the
# error, and no file.
source "$(dirname "$0")/common.sh"
CHECK="/usr/bin/python3 $(dirname "$0")/selectcheck.py"
run 2 "$CS" generate --out "$T/m.h5" --subscribers 30011 --regions 4 --seed 3 --areas --competitors 3 --quiet \
  || fail "generate"
run 2 "$CS" train --in "$T/m.h5" --model "$T/model.h5" --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$T/m.h5" --model "$T/model.h5" --out "$T/s.h5" --lists "$T/L" --quiet > /dev/null \
  || fail "score"
"$CS" inspect "$T/s.h5" > /dev/null || fail "inspect the scores"
h5dump -H -d /subscribers/queue "$T/s.h5" | has "H5T_STD_U8LE" || fail "SCORES.h5 has no /subscribers/queue"

S="--scores $T/s.h5 --snapshot $T/m.h5 --block-rows 8192"
declare -A W=(
  [issue]="phase = alarm and suspended_arrears = 1 and region = 广东"
  [areas]="area in (朝阳区, '海淀区') or (brand = 全球通 and tier <= 2)"
  [tags]="tags has sensitive and not queue = none and region != \"江苏\""
  [stage]="stage = 衰退期 and probability > 0.2 or grade = 1 and mean(arpu) > 90"
  [retention]="queue=retention and region = 上海"
)
for c in issue areas tags stage retention; do
  for n in 1 3; do
    run $n "$CS" select $S --where "${W[$c]}" --out "$T/$c-$n.csv" --quiet || fail "select $c, $n ranks"
  done
  cmp "$T/$c-1.csv" "$T/$c-3.csv" || fail "$c: the list differs between 1 and 3 ranks"
  $CHECK "$T/m.h5" "$T/s.h5" "$c" "$T/$c-1.csv" || fail "$c: rows against numpy"
  [ "$(wc -l < "$T/$c-1.csv")" -gt 20 ] || fail "$c: too few rows for a test ($(wc -l < "$T/$c-1.csv"))"
done
# one queue of one region is score's list of it, byte for byte: the same columns, texts and order
cmp "$T/retention-1.csv" "$T/L/01-上海-retention.csv" || fail "select's 上海 retention differs from score's list"
# the rows in no queue, and --top
has "^[0-9]*,none," "$T/stage-1.csv" || fail "the stage case has no row in no queue"
run 2 "$CS" select $S --where "${W[areas]}" --out "$T/top.csv" --top 7 --quiet || fail "select --top"
[ "$(wc -l < "$T/top.csv")" = 8 ] || fail "--top 7 wrote $(wc -l < "$T/top.csv") lines"
cmp "$T/top.csv" <(head -8 "$T/areas-1.csv") || fail "--top 7 is not the first 7 rows"
$CHECK "$T/m.h5" "$T/s.h5" areas "$T/top.csv" --top 7 || fail "--top 7 against numpy"
# the check can fail: two rows swapped
{ head -2 "$T/issue-1.csv"; sed -n 4p "$T/issue-1.csv"; sed -n 3p "$T/issue-1.csv"; tail -n +5 "$T/issue-1.csv"; } \
  > "$T/swapped.csv"
if $CHECK "$T/m.h5" "$T/s.h5" issue "$T/swapped.csv" 2> /dev/null; then fail "the check did not see two swapped rows"; fi
# the list's language and the formula-safe texts are the lists' own
run 1 "$CS" select $S --where "${W[issue]}" --out "$T/zh.csv" --lang zh --no-bom --quiet || fail "select --lang zh"
head -c 9 "$T/zh.csv" | has "^排名," || fail "--lang zh --no-bom: no Chinese header at the start"
# a rerun replaces the file; no temporary is left
run 2 "$CS" select $S --where "${W[issue]}" --out "$T/issue-1.csv" --quiet || fail "rerun"
[ -e "$T/issue-1.csv.tmp" ] && fail "a FILE.tmp left behind"

# every wrong condition: exit 1, the column, no file
bad() { # bad COLUMN MESSAGE CONDITION
  local rc=0
  run 2 "$CS" select $S --where "$3" --out "$T/bad.csv" > /dev/null 2> "$T/bad.err" || rc=$?
  [ "$rc" = 1 ] || { cat "$T/bad.err"; fail "exit $rc, expected 1: --where '$3'"; }
  has -F -- "--where, column $1: $2" "$T/bad.err" || { cat "$T/bad.err"; fail "no 'column $1: $2' for '$3'"; }
  [ "$(grep -c 'churnscore: error' "$T/bad.err")" = 1 ] || fail "not one message for '$3'"
  [ -e "$T/bad.csv" ] || [ -e "$T/bad.csv.tmp" ] && fail "a file written for '$3'"
  return 0
}
bad 1 "unknown name 'regoin'" "regoin = 北京 and phase = alarm"
bad 28 "the quote ' opened here is never closed" "phase = alarm and region = '广东"
bad 28 "no region '河南': 4 regions: 北京, 上海, 广东, 江苏" "phase = alarm and region = 河南"
bad 21 "'yes' is a text, but suspended_arrears holds numbers" "suspended_arrears = 'yes'"
bad 10 "region is compared with a number" "region = 3"
bad 10 "no tag 'gold'" "tags has gold or queue = billing"
bad 7 "no phase 'alarmed'" "phase=alarmed"
bad 15 "expected a value" "region in (北京,)"
# scores of another snapshot (same month and size): the first row whose id differs, exit 5, no file
run 2 "$CS" generate --out "$T/other.h5" --subscribers 30011 --regions 4 --seed 4 --areas --quiet || fail "generate other"
rc=0
run 3 "$CS" select --scores "$T/s.h5" --snapshot "$T/other.h5" --where "${W[issue]}" --out "$T/bad.csv" \
  > /dev/null 2> "$T/bad.err" || rc=$?
[ "$rc" = 5 ] && has "s.h5: /subscribers/id row 0: id .*scores of another snapshot" "$T/bad.err" \
  || { cat "$T/bad.err"; fail "scores of another snapshot: exit $rc"; }
[ -e "$T/bad.csv" ] && fail "a file written for scores of another snapshot"
# a scores file of a churnscore before /subscribers/queue: refused, saying what to do
cp "$T/s.h5" "$T/old.h5"
/usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); del f['/subscribers/queue']" "$T/old.h5"
rc=0
run 1 "$CS" select --scores "$T/old.h5" --snapshot "$T/m.h5" --where "${W[issue]}" --out "$T/bad.csv" \
  > /dev/null 2> "$T/bad.err" || rc=$?
[ "$rc" = 4 ] && has "old.h5: has no /subscribers/queue .*score the month again" "$T/bad.err" \
  || { cat "$T/bad.err"; fail "a scores file without queues: exit $rc"; }
# memory: every row chosen does not fit 3M on one rank (exit 2, saying what to do); --top 100 does
rc=0
run 1 "$CS" select $S --where "probability >= 0" --memory 3M --out "$T/all.csv" > /dev/null 2> "$T/bad.err" || rc=$?
[ "$rc" = 2 ] && has "the chosen rows take .* over --memory .*--top K" "$T/bad.err" \
  || { cat "$T/bad.err"; fail "all rows in 3M: exit $rc"; }
[ -e "$T/all.csv" ] && fail "a file written over --memory"
run 1 "$CS" select $S --where "probability >= 0" --memory 3M --top 100 --out "$T/all.csv" --quiet || fail "--top 100 in 3M"
[ "$(wc -l < "$T/all.csv")" = 101 ] || fail "--top 100 in 3M: $(wc -l < "$T/all.csv") lines"
# an input as the output is refused before anything is read
rc=0
run 1 "$CS" select $S --where "${W[issue]}" --out "$T/s.h5" > /dev/null 2> "$T/bad.err" || rc=$?
[ "$rc" = 1 ] && has -- "--out" "$T/bad.err" || fail "an input as --out: exit $rc"
echo "select: rows and order as numpy computes them, rank-independent; errors with their column"

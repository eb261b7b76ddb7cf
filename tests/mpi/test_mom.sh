#!/bin/bash
# Month over month in the lists (issue 15): three generated months of 20,000 subscribers (4 regions,
# fixed seeds), the first scored without last month, the second and third with score
# --previous-scores of the month before. Every list row's new_on_list, months_on_list,
# prev_probability and prev_phase, SCORES.h5's /subscribers/months_on_list and summary.csv's last
# month, change and total row are recomputed from the two months' scores and lists by
# tests/mpi/momcheck.py (h5py/numpy, no shared code); the second month's lists and months are the same
# bytes at 1 and 3 ranks, on rank 0's path (CS_LISTS_ON_ROOT) and with the join split into parts
# (CS_TEST_PREV_PARTS); a corrupted cell makes the check fail. Bad input: last month's scores of
# the same month, a snapshot instead of scores, scores without months_on_list, a bad row only one of
# 3 ranks reads — one message each, nothing written.
source "$(dirname "$0")/common.sh"
CHECK="/usr/bin/python3 $(dirname "$0")/momcheck.py"
N=20000
run 1 "$CS" generate --out "$T/m1.h5" --subscribers $N --regions 4 --seed 23 --month 2026-09 --quiet || fail "generate m1"
run 1 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate m2"
run 1 "$CS" generate --follows "$T/m2.h5" --out "$T/m3.h5" --quiet || fail "generate m3"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/model.h5" --model-kind logit --quiet > /dev/null || fail "train"
# --top 150: lists cut below their queues, so that candidates off the lists get months_on_list 0
SC=(score --model "$T/model.h5" --top 150 --control 0.1 --quiet)
run 2 "$CS" "${SC[@]}" --in "$T/m1.h5" --out "$T/s1.h5" --lists "$T/L1" > /dev/null || fail "score m1"
$CHECK "$T/L1" "$T/s1.h5" "$T/L1" "$T/s1.h5" --first > /dev/null 2>&1 && fail "momcheck passed a month without --previous-scores" || true
for n in 1 3; do
  run $n "$CS" "${SC[@]}" --in "$T/m2.h5" --out "$T/s2_$n.h5" --lists "$T/L2_$n" --previous-scores "$T/s1.h5" \
    > "$T/score2_$n.txt" || fail "score m2 --previous-scores at $n ranks"
done
diff -r "$T/L2_1" "$T/L2_3" > /dev/null || fail "the month-over-month lists differ between 1 and 3 ranks"
[ "$(dsum "$T/s2_1.h5" /subscribers/months_on_list)" = "$(dsum "$T/s2_3.h5" /subscribers/months_on_list)" ] \
  || fail "months_on_list differs between 1 and 3 ranks"
CS_LISTS_ON_ROOT=1 CS_TEST_PREV_PARTS=3 run 3 "$CS" "${SC[@]}" --in "$T/m2.h5" --out "$T/s2_p.h5" --lists "$T/L2_p" \
  --previous-scores "$T/s1.h5" > /dev/null || fail "score m2, rank 0's path, 3 parts"
diff -r "$T/L2_1" "$T/L2_p" > /dev/null || fail "the lists differ on rank 0's path with the join in 3 parts"
[ "$(dsum "$T/s2_1.h5" /subscribers/months_on_list)" = "$(dsum "$T/s2_p.h5" /subscribers/months_on_list)" ] \
  || fail "months_on_list differs on rank 0's path with the join in 3 parts"
$CHECK "$T/L1" "$T/s1.h5" "$T/L2_3" "$T/s2_3.h5" --first || fail "month 2 against month 1"
# the third month: months on the lists up to 3
run 3 "$CS" "${SC[@]}" --in "$T/m3.h5" --out "$T/s3.h5" --lists "$T/L3" --previous-scores "$T/s2_3.h5" \
  > /dev/null || fail "score m3 --previous-scores"
$CHECK "$T/L2_3" "$T/s2_3.h5" "$T/L3" "$T/s3.h5" || fail "month 3 against month 2"
/usr/bin/python3 - "$T/s3.h5" <<'PY' || fail "no subscriber three months on the lists"
import h5py, sys
m = h5py.File(sys.argv[1], "r")["/subscribers/months_on_list"][()]
assert (m == 3).sum() > 0 and (m == 1).sum() > 0, (m.max(), (m == 3).sum())
PY
# the check can fail: one months_on_list cell off by one
cp -r "$T/L2_3" "$T/Lbad"
/usr/bin/python3 - "$T/Lbad" <<'PY'
import csv, glob, sys
path = sorted(glob.glob(sys.argv[1] + "/*-retention.csv"))[0]
rows = list(csv.reader(open(path, encoding="utf-8-sig")))
c = rows[0].index("months_on_list")
rows[1][c] = str(int(rows[1][c]) + 1)
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
PY
$CHECK "$T/L1" "$T/s1.h5" "$T/Lbad" "$T/s2_3.h5" > /dev/null 2>&1 && fail "momcheck passed a wrong months_on_list" || true
# Chinese lists: the columns and summary.csv in Chinese, the same check
run 2 "$CS" "${SC[@]}" --in "$T/m2.h5" --out "$T/s2_zh.h5" --lists "$T/L2_zh" --previous-scores "$T/s1.h5" \
  --lang zh > /dev/null || fail "score m2 --lang zh"
head -1 "$T/L2_zh/00-"*-retention.csv | has "本月新上榜,连续上榜月数,上月流失概率,上月预警状态" || fail "Chinese list header"
$CHECK "$T/L1" "$T/s1.h5" "$T/L2_zh" "$T/s2_zh.h5" --first || fail "month 2 in Chinese"

# bad input: one message each, no output written
bad() { # bad NAME PREVIOUS PATTERN
  local rc=0
  run 2 "$CS" "${SC[@]}" --in "$T/m2.h5" --out "$T/bad_$1.h5" --lists "$T/Lbad_$1" --previous-scores "$2" \
    > /dev/null 2> "$T/bad_$1.err" || rc=$?
  [ "$rc" != 0 ] || fail "$1: score succeeded"
  has -e "$3" "$T/bad_$1.err" || { cat "$T/bad_$1.err"; fail "$1: no message '$3'"; }
  [ ! -e "$T/bad_$1.h5" ] && [ ! -e "$T/bad_$1.h5.tmp" ] && [ ! -e "$T/Lbad_$1" ] && [ ! -e "$T/Lbad_$1.tmp" ] \
    || fail "$1: output left behind"
}
bad same "$T/s2_1.h5" "not before this snapshot's month"
bad snapshot "$T/m1.h5" "not a churnscore scores file"
/usr/bin/python3 - "$T/s1.h5" "$T/old.h5" <<'PY'
import h5py, shutil, sys
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    del f["/subscribers/months_on_list"]
PY
bad old "$T/old.h5" "has no /subscribers/months_on_list"
# one rank's share of last month's rows is bad (a phase out of range in the last third): at 3 ranks
# only rank 2 meets it in the join; the whole job stops with its message
/usr/bin/python3 - "$T/s1.h5" "$T/badrow.h5" <<'PY'
import h5py, shutil, sys
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    f["/subscribers/phase"][17000] = 7
PY
rc=0
run 3 "$CS" "${SC[@]}" --in "$T/m2.h5" --out "$T/bad_row.h5" --lists "$T/Lbad_row" --previous-scores "$T/badrow.h5" \
  > /dev/null 2> "$T/bad_row.err" || rc=$?
[ "$rc" = 5 ] || { cat "$T/bad_row.err"; fail "a bad row of last month's scores: exit $rc, not 5"; }
has "badrow.h5: row 17000: region .*, phase 7" "$T/bad_row.err" || { cat "$T/bad_row.err"; fail "no message naming the bad row"; }
[ ! -e "$T/bad_row.h5" ] && [ ! -e "$T/bad_row.h5.tmp" ] && [ ! -e "$T/Lbad_row" ] && [ ! -e "$T/Lbad_row.tmp" ] \
  || fail "a bad row of last month's scores left output behind"
echo "test_mom ok"

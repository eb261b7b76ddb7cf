#!/bin/bash
# import in parallel (issue 20): every rank reads its own part of the CSV, cut at exact record
# boundaries by the quote-parity rule. The snapshot, the report on stdout and the skipped rows logged
# are the same bit for bit for 1, 2, 3 and 4 ranks, with even parts and with parts of a few bytes
# (CS_IMPORT_PART_BYTES), whose cuts the extract's generator checks to fall inside quoted fields that
# hold line breaks (LF, CRLF, lone CR), doubled quotes and delimiters. Also the same: a column whose
# text comes only in a later part (numbers of earlier parts become levels: the level pass), bad rows
# skipped on several parts, a misplaced quote (the parts' cuts are then wrong, found, and rank 0
# reads alone), --area with an area in two regions (skipped or refused), and --like. A bad row in a
# later part stops every rank with one message naming its line and column, exit 5, nothing left.
source "$(dirname "$0")/common.sh"
SRC="${CS_SRC:-$(dirname "$0")/../..}"
MK="/usr/bin/python3 $SRC/tests/mpi/mkquoted.py"
hsum() { for d in $(h5ls -r "$1" | awk '$2=="Dataset"{print $1}'); do echo "$d $(dsum "$1" "$d")"; done; }

# same NAME CSV [import options...]: every rank count and part size gives the reference's snapshot,
# report and skipped-row lines (or, for a refused file, the same exit and message)
same() {
  local name=$1 csv=$2; shift 2
  local ref=""
  for cfg in 1:0 2:0 3:0 4:0 4:61 3:1200; do
      local n=${cfg%%:*} bytes=${cfg#*:}
      rm -f "$T/o.h5"
      local rc=0
      CS_IMPORT_PART_BYTES=$bytes run $n "$CS" import --csv "$csv" --out "$T/o.h5" "$@" > "$T/r.txt" 2> "$T/e.txt" || rc=$?
      { echo "exit $rc"; cat "$T/r.txt"; sed -n 's/^\[ *[0-9.]*s\] \(.*\(skipped:\|error:\).*\)/\1/p' "$T/e.txt"
        sed -n 's/^\(churnscore: error:.*\)/\1/p' "$T/e.txt"
        if [ -e "$T/o.h5" ]; then hsum "$T/o.h5"; fi; } > "$T/got.txt"
      if [ -z "$ref" ]; then ref=$T/$name.ref; cp "$T/got.txt" "$ref"; continue; fi
      cmp -s "$ref" "$T/got.txt" || { diff "$ref" "$T/got.txt" | head -20; fail "$name: $n ranks, parts of $bytes bytes differ from 1 rank"; }
  done
}

$MK "$T/q.csv" --cuts 61 > "$T/in61.txt"
$MK "$T/q.csv" --cuts 1200 > "$T/in1200.txt"
[ "$(cat "$T/in61.txt")" -ge 1 ] && [ "$(cat "$T/in1200.txt")" -ge 1 ] || fail "no cut falls inside quotes: the test checks nothing"
same quoted "$T/q.csv" --id id --region region --label churned --positive yes
grep -q "^exit 0$" "$T/quoted.ref" && grep -q "240 rows, 7 columns" "$T/quoted.ref" || { cat "$T/quoted.ref"; fail "quoted: not imported"; }
grep -q "note  *category .* 6  *5  a, \"b\", c??\"d\" | crlf??line" "$T/quoted.ref" || fail "quoted: the quoted levels are not whole"
# pass 2 from the rows pass 1 kept (the default) or, over a small --memory, from the CSV again
CS_IMPORT_PART_BYTES=61 run 3 "$CS" import --csv "$T/q.csv" --out "$T/o.h5" --id id --region region --label churned \
  --positive yes --memory 1M > /dev/null 2> "$T/e.txt" || { cat "$T/e.txt"; fail "--memory 1M"; }
grep -q "pass 2 (parse again and write)" "$T/e.txt" || fail "--memory 1M: the rows were kept"
[ "$(grep -v "^exit\|^import\|^label\|^ \|^notice" "$T/quoted.ref")" = "$(hsum "$T/o.h5")" ] || fail "pass 2 from the CSV gives another snapshot"

$MK "$T/late.csv" --text-late > /dev/null
same late "$T/late.csv" --id id --region region
grep -q "code  *category  *0  *11  *10" "$T/late.ref" || { cat "$T/late.ref"; fail "late text: not a category of 11 levels"; }

$MK "$T/bad.csv" --bad > /dev/null
same skip "$T/bad.csv" --id id --region region --on-bad-row skip --show-bad 2
grep -q "skipped 3 bad rows" "$T/skip.ref" || { cat "$T/skip.ref"; fail "skip: count"; }
[ "$(grep -c "skipped: " "$T/skip.ref")" = 2 ] || fail "skip: --show-bad 2 shows 2"
same fail "$T/bad.csv" --id id --region region
grep -q "^exit 5$" "$T/fail.ref" && grep -q "error: .*bad.csv, line 76: 6 fields where the header has 7" "$T/fail.ref" || { cat "$T/fail.ref"; fail "fail: message"; }
[ "$(grep -c "error:" "$T/fail.ref")" = 1 ] || fail "fail: not one message"
[ -e "$T/o.h5" ] || [ -e "$T/o.h5.tmp" ] && fail "fail: a file was left behind"
# the first bad row only in the last of 4 parts (the other three are 61 bytes each)
awk 'NR == 300 { print "77,北京,\"x\",1,2,gold" } { print }' "$T/q.csv" > "$T/late_bad.csv"
CS_IMPORT_PART_BYTES=61 run 4 "$CS" import --csv "$T/late_bad.csv" --out "$T/o.h5" --id id > /dev/null 2> "$T/e.txt" && fail "a bad row in the last part was accepted"
grep -q "late_bad.csv, line [0-9]*: 6 fields where the header has 7" "$T/e.txt" || { cat "$T/e.txt"; fail "last part: message"; }

# a quote inside an unquoted field breaks the parity rule: the parts after it are found to be cut
# wrongly, and rank 0 reads alone (the bad row is skipped as by one rank)
awk 'NR == 40 { print "5555,北京,ab\"cd,1,2,gold,no" } { print }' "$T/q.csv" > "$T/stray.csv"
same stray "$T/stray.csv" --id id --region region --on-bad-row skip
CS_IMPORT_PART_BYTES=1200 run 3 "$CS" import --csv "$T/stray.csv" --out "$T/o.h5" --id id --on-bad-row skip > /dev/null 2> "$T/e.txt" || fail "stray quote"
grep -q "does not follow RFC 4180.*rank 0 reads the file alone" "$T/e.txt" || { cat "$T/e.txt"; fail "stray quote: the serial read is not said"; }

# --area: an area that lies in another region on two later rows
awk 'BEGIN { print "id,region,area,x"; for (i = 0; i < 400; i++) { r = i % 3; g = (i == 300 || i == 350) ? (r + 1) % 3 : r
             printf "%d,R%d,A%d_%d,%d.5\n", i, g, r, i % 7, i % 11 } }' > "$T/area.csv"
same area_skip "$T/area.csv" --id id --region region --area area --on-bad-row skip
grep -q "skipped 2 bad rows" "$T/area_skip.ref" || { cat "$T/area_skip.ref"; fail "area: skipped rows"; }
same area_fail "$T/area.csv" --id id --region region --area area
grep -q "area.csv, line 302: area 'A0_6' lies in region 'R0' on an earlier line and in 'R1' here" "$T/area_fail.ref" || { cat "$T/area_fail.ref"; fail "area: message"; }

# --like: the earlier month's columns and levels, a later month read in parts
run 1 "$CS" import --csv "$T/q.csv" --out "$T/ref.h5" --id id --region region --label churned --positive yes > /dev/null 2>&1 || fail "reference import"
same like "$T/late.csv" --like "$T/ref.h5" --on-bad-row skip
grep -q "^exit 0$" "$T/like.ref" || { cat "$T/like.ref"; fail "--like"; }
echo "import in parts: the same snapshot, report and messages for 1-4 ranks and parts cut inside quotes"

#!/bin/bash
# import: an operator's extract (UTF-8 byte order mark, CRLF, quoted fields holding delimiters,
# quotes and line breaks, NA and empty fields, Chinese region and brand names) gives exactly the
# expected snapshot (exported back with snap2csv); the snapshot is the same bit for bit for 1, 2 and 3
# ranks; a generated snapshot survives snap2csv + import with every indicator bit, id and label and
# every row's region and brand name; --like maps a later month onto the earlier columns and levels
# (new level counted, extra column ignored, roles taken over); bad input stops with the line and
# column (ragged row, text in a numeric column, bad UTF-8, duplicate ids on both lines, a missing
# column, an unclosed quote, too many levels) and leaves no file behind; --on-bad-row skip counts.
source "$(dirname "$0")/common.sh"
DATA="${CS_SRC:-$(dirname "$0")/../..}/tests/data"
S2C="$BUILD/snap2csv"
# every dataset's bytes and the root attributes but the generator (it names the CSV path)
hsum() {
  for d in $(h5ls -r "$1" | awk '$2=="Dataset"{print $1}'); do echo "$d $(dsum "$1" "$d")"; done
}
noleft() { for f in "$@"; do [ -e "$f" ] || [ -e "$f.tmp" ] || [ -e "$f.tmp.tmp" ] && fail "file left behind: $f"; done; return 0; }

# 1. the operator fixture, with 1, 2 and 3 ranks
OP="$DATA/import_operator.csv"
for n in 1 2 3; do
  run $n "$CS" import --csv "$OP" --out "$T/op$n.h5" --id msisdn --region 城市 --brand brand \
    --label churned --positive yes > "$T/op$n.txt" 2> "$T/op$n.err" || { cat "$T/op$n.err"; fail "import with $n ranks"; }
  hsum "$T/op$n.h5" > "$T/opsum$n.txt"
done
for n in 2 3; do cmp "$T/opsum1.txt" "$T/opsum$n.txt" || fail "snapshot differs between 1 and $n ranks"; done
grep -q "5 rows, 8 columns (8 used, 0 ignored) -> 6 indicators, 4 regions, 3 brands" "$T/op1.txt" || { cat "$T/op1.txt"; fail "report: counts"; }
grep -q "label 'churned': 1 churned ('yes'), 2 other, 2 missing" "$T/op1.txt" || fail "report: label"
grep -q "plan  *category  *0  *3  *2  basic | gold | silver" "$T/op1.txt" || fail "report: levels"
grep -q "monthly fee  *numeric  *1 " "$T/op1.txt" || fail "report: missing count"
"$S2C" "$T/op1.h5" "$T/op.csv" || fail "snap2csv"
cmp "$T/op.csv" "$DATA/import_operator.expected.csv" || { diff "$T/op.csv" "$DATA/import_operator.expected.csv"; fail "operator fixture: not the expected snapshot"; }
run 1 "$CS" inspect "$T/op1.h5" --json > "$T/op.json" && grep -q '"name": "广州"' "$T/op.json" || fail "region names not kept"

# 2. a generated snapshot, exported and imported again (CRLF and BOM too)
run 2 "$CS" generate --out "$T/g.h5" --subscribers 20011 --seed 7 --quiet || fail "generate"
"$S2C" "$T/g.h5" "$T/g.csv" || fail "snap2csv"
"$S2C" "$T/g.h5" "$T/gw.csv" --crlf --bom || fail "snap2csv --crlf --bom"
for v in g gw; do
  run 2 "$CS" import --csv "$T/$v.csv" --out "$T/${v}i.h5" --id id --region region --brand brand \
    --label churned --positive yes --month 2026-10 > "$T/$v.txt" 2>&1 || { cat "$T/$v.txt"; fail "import $v.csv"; }
  for d in /subscribers/features /subscribers/id /subscribers/churned /subscribers/feature_names; do
    [ "$(dsum "$T/g.h5" $d)" = "$(dsum "$T/${v}i.h5" $d)" ] || fail "$v: $d differs after the round trip"
  done
  "$S2C" "$T/${v}i.h5" "$T/${v}2.csv" && cmp "$T/g.csv" "$T/${v}2.csv" || fail "$v: rows differ after the round trip (region or brand names?)"
done
[ "$(hsum "$T/gi.h5")" = "$(hsum "$T/gwi.h5")" ] || fail "CRLF+BOM gives another snapshot"
run 1 "$CS" inspect "$T/gi.h5" --json > "$T/gi.json" && grep -q '"month": "2026-10"' "$T/gi.json" || fail "--month not stored"

# 3. --like: a later month with another column order, an extra column, a new level and a new region;
#    the roles (id, region, brand, label) come from the earlier import
printf 'brand,minutes,note,plan,城市,monthly fee,msisdn,churned,bonus\r\n' > "$T/next.csv"
printf '全球通,10,"ok, fine",platinum,北京,58,13800000001,no,1\r\n' >> "$T/next.csv"
printf '神州行,20,NA,gold,杭州,60,13800000009,yes,2\r\n' >> "$T/next.csv"
run 2 "$CS" import --csv "$T/next.csv" --out "$T/next.h5" --like "$T/op1.h5" > "$T/next.txt" 2>&1 \
  || { cat "$T/next.txt"; fail "import --like"; }
grep -q "column 'plan': 1 rows hold a level .*op1.h5 does not know (first at line 2: 'platinum'): all-zero indicators" "$T/next.txt" \
  || { cat "$T/next.txt"; fail "--like: the new level is not reported"; }
grep -q "notice: column 'bonus' is not in .*: ignored" "$T/next.txt" || fail "--like: extra column not reported"
grep -q "notice: 1 region not in .*op1.h5, added after its 4" "$T/next.txt" || fail "--like: new region not reported"
[ "$(dsum "$T/op1.h5" /subscribers/feature_names)" = "$(dsum "$T/next.h5" /subscribers/feature_names)" ] \
  || fail "--like: other indicators"
"$S2C" "$T/next.h5" "$T/next2.csv"
# the ids, the names and the values of the later month under the earlier month's columns
printf '13800000001,北京,全球通,0,0,58,10,0,0,no\n13800000009,杭州,神州行,1,0,60,20,,,yes\n' > "$T/next.want"
tail -n 2 "$T/next2.csv" | cmp - "$T/next.want" || { diff "$T/next.want" "$T/next2.csv"; fail "--like: wrong rows"; }
# a month to score has no outcome yet: without the label column, a snapshot without labels
printf 'brand,minutes,note,plan,城市,monthly fee,msisdn\n全球通,10,NA,gold,北京,58,13800000001\n' > "$T/nolab.csv"
run 1 "$CS" import --csv "$T/nolab.csv" --out "$T/nolab.h5" --like "$T/op1.h5" > "$T/nolab.txt" 2>&1 \
  || { cat "$T/nolab.txt"; fail "--like without the label column"; }
grep -q "has no column 'churned' (the label of .*): a snapshot without labels" "$T/nolab.txt" || fail "--like: no label notice"
grep -q "as in .*op1.h5: --id msisdn --region 城市 --brand brand$" "$T/nolab.txt" || fail "--like: roles not reported"
h5ls "$T/nolab.h5/subscribers" | has churned && fail "--like without a label column: labels written"
# a generated snapshot (no /import) as the reference: columns by feature name, and the region and
# brand codes of the reference, so that a model trained on it scores the import the same way
run 1 "$CS" import --csv "$T/g.csv" --out "$T/glike.h5" --like "$T/g.h5" --id id --region region \
  --brand brand --label churned --positive yes > "$T/glike.txt" 2>&1 || { cat "$T/glike.txt"; fail "--like a generated snapshot"; }
for d in /subscribers/features /subscribers/region /subscribers/brand /regions/name /brands/name; do
  [ "$(dsum "$T/g.h5" $d)" = "$(dsum "$T/glike.h5" $d)" ] || fail "--like generated: $d differs"
done
run 2 "$CS" train --in "$T/g.h5" --model "$T/m.h5" --quiet > /dev/null 2>&1 || fail "train"
for v in g glike; do
  run 2 "$CS" score --in "$T/$v.h5" --model "$T/m.h5" --out "$T/sc_$v.h5" --lists "$T/L_$v" --quiet > /dev/null 2>&1 || fail "score $v"
done
[ "$(dsum "$T/sc_g.h5" /subscribers/probability)" = "$(dsum "$T/sc_glike.h5" /subscribers/probability)" ] \
  || fail "the imported snapshot scores differently"

# 4. bad input: a clear message with line and column, a non-zero exit, nothing left behind
bad() { # bad PATTERN CSV [options...]
  local pat=$1 csv=$2; shift 2
  if run 2 "$CS" import --csv "$csv" --out "$T/bad.h5" "$@" > "$T/o.txt" 2> "$T/e.txt"; then cat "$T/o.txt"; fail "import accepted $csv $*"; fi
  grep -q -- "$pat" "$T/e.txt" || { cat "$T/e.txt"; fail "message lacks '$pat'"; }
  noleft "$T/bad.h5"
}
printf 'id,x,y\n1,2,3\n2,3\n3,4,5\n' > "$T/ragged.csv"
bad "ragged.csv, line 3: 2 fields where the header has 3" "$T/ragged.csv"
printf 'id,x,y\n1,2,3\n2,ab\xffcd,5\n' > "$T/utf8.csv"
bad "utf8.csv, line 3, column 5: invalid UTF-8 (byte 0xFF)" "$T/utf8.csv"
printf 'plan,minutes,monthly fee,note,msisdn,城市,brand,churned\nbasic,lots,5,NA,1,北京,全球通,no\n' > "$T/text.csv"
bad "text.csv, line 2, column 2 (minutes): 'lots' is not a number" "$T/text.csv" --like "$T/op1.h5"
printf 'id,x\n7,1\n8,2\n7,3\n' > "$T/dup.csv"
bad "dup.csv, lines 2 and 4, column 1 (id): id 7 appears twice" "$T/dup.csv" --id id
# the id check hash-partitioned over 1, 3 and 4 ranks, in many passes (a small --memory): one duplicate
# whose rows lie on different ranks, another pair on one rank, found and named the same way each time
awk 'BEGIN { print "id,x"; for (i = 0; i < 30000; i++) print (i == 25000 ? 1007 : 1000 + i) "," i % 7 }' > "$T/dup2.csv"
awk 'BEGIN { print "id,x"; for (i = 0; i < 30000; i++) print (i == 12 ? 1005 : 1000 + i) "," i % 7 }' > "$T/dup3.csv"
for n in 1 3 4; do
  for d in "dup2.csv, lines 9 and 25002" "dup3.csv, lines 7 and 14"; do
    f=${d%%,*}
    rc=0; run $n "$CS" import --csv "$T/$f" --out "$T/bad.h5" --id id --memory 64K > "$T/o.txt" 2> "$T/e.txt" || rc=$?
    [ $rc = 5 ] || { cat "$T/e.txt"; fail "import with $n ranks: exit $rc for the duplicate id of $f, want 5"; }
    grep -q -- "$d, column 1 (id): id 100[57] appears twice" "$T/e.txt" || { cat "$T/e.txt"; fail "$n ranks: message lacks '$d'"; }
    [ "$(grep -c 'churnscore: error' "$T/e.txt")" = 1 ] || { cat "$T/e.txt"; fail "$n ranks: not one message"; }
    noleft "$T/bad.h5"
  done
done
# ids that rise within every rank's rows are unique there without the hash set (dup_rising): a
# duplicate where one rank's rows end and the next one's begin (rows 16384 and 16385 of 32768: the
# check's row blocks are 8192 rows, so a boundary for 2, 3 and 4 ranks), and one where a later rank's
# rising ids go back into an earlier rank's
awk 'BEGIN { print "id,x"; for (i = 0; i < 32768; i++) print (i == 16384 ? 17383 : 1000 + i) "," i % 7 }' > "$T/dup4.csv"
awk 'BEGIN { print "id,x"; for (i = 0; i < 32768; i++) print (i == 16384 ? 5000 : 1000 + i) "," i % 7 }' > "$T/dup5.csv"
for n in 1 2 3 4; do
  for d in "dup4.csv, lines 16385 and 16386, column 1 (id): id 17383" "dup5.csv, lines 4002 and 16386, column 1 (id): id 5000"; do
    f=${d%%,*}
    rc=0; run $n "$CS" import --csv "$T/$f" --out "$T/bad.h5" --id id > "$T/o.txt" 2> "$T/e.txt" || rc=$?
    [ $rc = 5 ] || { cat "$T/e.txt"; fail "import with $n ranks: exit $rc for the duplicate id of $f, want 5"; }
    grep -q -- "$d appears twice" "$T/e.txt" || { cat "$T/e.txt"; fail "$n ranks: message lacks '$d'"; }
    noleft "$T/bad.h5"
  done
done
printf 'plan,minutes,msisdn,城市,brand,churned\nbasic,1,1,北京,全球通,no\n' > "$T/miss.csv"
bad "miss.csv: column 'monthly fee' of .*op1.h5 is missing" "$T/miss.csv" --like "$T/op1.h5"
printf 'id,x\n1,"open\n2,3\n' > "$T/open.csv"
bad "open.csv, line 2, column 3: this quote is never closed" "$T/open.csv" --on-bad-row skip
printf 'name,x\nann,1\nbob,2\ncy,3\n' > "$T/levels.csv"
bad "column 'name' holds text (first at line 2: 'ann') and more than 2 distinct values" "$T/levels.csv" --max-levels 2
bad "option --label: no column 'churn'" "$T/levels.csv" --label churn --positive yes
bad "option --label needs --positive" "$T/levels.csv" --label x
bad "option --on-bad-row: 'maybe' is not fail or skip" "$T/levels.csv" --on-bad-row maybe
bad "option --month: '2026-13' is not YYYY-MM" "$T/levels.csv" --month 2026-13
bad "cannot open $T/nothere.csv" "$T/nothere.csv"
bad "is not a subscriber id" "$T/levels.csv" --id name
bad "m.h5: is a 'churnscore-model' file, expected a snapshot" "$T/levels.csv" --like "$T/m.h5"

# 5. other delimiters
printf 'id;x;plan\n1;2.5;"a;b"\n2;3;c\n' > "$T/semi.csv"
printf 'id\tx\tplan\n1\t2.5\ta;b\n2\t3\tc\n' > "$T/tab.csv"
run 1 "$CS" import --csv "$T/semi.csv" --out "$T/semi.h5" --id id --delimiter ';' > "$T/semi.txt" 2>&1 || { cat "$T/semi.txt"; fail "--delimiter ';'"; }
run 1 "$CS" import --csv "$T/tab.csv" --out "$T/tab.h5" --id id --delimiter tab > "$T/tab.txt" 2>&1 || { cat "$T/tab.txt"; fail "--delimiter tab"; }
for v in semi tab; do
  "$S2C" "$T/$v.h5" "$T/$v.out"
  [ "$(cat "$T/$v.out")" = "$(printf 'id,region,brand,x,plan=c\n1,all,all,2.5,0\n2,all,all,3,1')" ] || { cat "$T/$v.out"; fail "--delimiter: $v"; }
done
bad "option --delimiter: ';;' is not one character" "$T/semi.csv" --delimiter ';;'

# 6. --on-bad-row skip counts and skips: the same rows in both passes
printf 'id,x,y\n1,2,3\n2,3\n3,ab\xffcd,5\nx,4,5\n5,6,7\n' > "$T/skip.csv"
run 2 "$CS" import --csv "$T/skip.csv" --out "$T/skip.h5" --id id --on-bad-row skip > "$T/skip.txt" 2>&1 \
  || { cat "$T/skip.txt"; fail "--on-bad-row skip"; }
grep -q "skipped 3 bad rows" "$T/skip.txt" || { cat "$T/skip.txt"; fail "skip: count"; }
grep -q "skipped: .*skip.csv, line 5, column 1 (id): 'x' is not a subscriber id" "$T/skip.txt" || fail "skip: the bad rows are not shown"
run 1 "$CS" inspect "$T/skip.h5" --json > "$T/skip.json" && grep -q '"subscribers": 2' "$T/skip.json" || fail "skip: rows"
"$S2C" "$T/skip.h5" "$T/skip2.csv"
[ "$(cut -d, -f1,4,5 "$T/skip2.csv" | tr '\n' ' ')" = "id,x,y 1,2,3 5,6,7 " ] || { cat "$T/skip2.csv"; fail "skip: wrong rows"; }
# 7. churn types: a generated snapshot's churn_type exported as a leave_reason column and imported
#    again by --churn-type (with --label: checked against it; without: the labels come from it), the
#    same bits at 1 and 3 ranks; --like takes the churn-type roles over; a value of no list, or a type
#    that disagrees with the label, is refused with exit 5 naming the line and column, nothing written
"$S2C" "$T/g.h5" "$T/gt.csv" --churn-type || fail "snap2csv --churn-type"
for n in 1 3; do
  for lab in "--label churned --positive yes" "--ignore churned"; do
    rm -f "$T/gt.h5"
    run $n "$CS" import --csv "$T/gt.csv" --out "$T/gt.h5" --id id --region region --brand brand $lab \
      --churn-type leave_reason --voluntary port_out,cancelled --involuntary arrears > "$T/gt.txt" 2>&1 \
      || { cat "$T/gt.txt"; fail "import --churn-type ($n ranks, '$lab')"; }
    for d in /subscribers/churn_type /subscribers/churned /subscribers/features; do
      [ "$(dsum "$T/g.h5" $d)" = "$(dsum "$T/gt.h5" $d)" ] || fail "--churn-type ($n ranks, '$lab'): $d differs from the generated"
    done
  done
done
grep -q "churn type 'leave_reason': [0-9]* voluntary, [0-9]* involuntary leavers" "$T/gt.txt" || { cat "$T/gt.txt"; fail "report: churn types"; }
grep -q "label: from the churn type" "$T/gt.txt" || fail "report: labels from the churn type"
run 1 "$CS" import --csv "$T/gt.csv" --out "$T/gtl.h5" --like "$T/gt.h5" > "$T/gtl.txt" 2>&1 || { cat "$T/gtl.txt"; fail "import --like a churn-type import"; }
grep -q -- "--churn-type leave_reason --voluntary port_out,cancelled --involuntary arrears" "$T/gtl.txt" || { cat "$T/gtl.txt"; fail "--like: churn-type roles not taken"; }
[ "$(dsum "$T/g.h5" /subscribers/churn_type)" = "$(dsum "$T/gtl.h5" /subscribers/churn_type)" ] || fail "--like: churn types differ"
bad_code() { # bad_code CODE PATTERN CSV [options...]: bad, and the exit code
  local code=$1 rc=0; shift
  bad "$@"
  run 1 "$CS" import --csv "$2" --out "$T/bad.h5" "${@:3}" > /dev/null 2>&1 || rc=$?
  [ "$rc" = "$code" ] || fail "import $2: exit $rc, expected $code"
  noleft "$T/bad.h5"
}
CT="--churn-type how --voluntary port_out,cancel --involuntary arrears"
printf 'id,left,how,x
1,yes,port_out,1
2,no,,2
3,yes,moved,3
' > "$T/ct_unknown.csv"
bad_code 5 "ct_unknown.csv, line 4, column 3 (how): 'moved' is not a churn type (voluntary: port_out, cancel; involuntary: arrears; or empty for none)" \
  "$T/ct_unknown.csv" --id id --label left --positive yes $CT
printf 'id,left,how,x
1,yes,port_out,1
2,no,arrears,2
' > "$T/ct_disagree.csv"
bad_code 5 "ct_disagree.csv, line 3, column 3 (how): 'arrears' is a churn type (involuntary), but the label (column 2, left) says the subscriber stayed" \
  "$T/ct_disagree.csv" --id id --label left --positive yes $CT
bad_code 1 "option --churn-type needs --voluntary and --involuntary" "$T/ct_disagree.csv" --id id --churn-type how --voluntary port_out
bad_code 1 "options --voluntary, --involuntary and --stayed need --churn-type" "$T/ct_disagree.csv" --id id --voluntary port_out

echo "import: fixture exact, same for 1-3 ranks, generated round trip bit for bit, --like, churn types, bad input refused"

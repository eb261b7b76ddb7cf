#!/bin/bash
# inputs checked for what they are (issue 12, part 3), at 1 and 3 ranks, with files written by h5py
# (tests/mpi/h5forms.py, tests/mpi/modelbad.py; Debian python3-h5py under /usr/bin/python3):
# - integers of any width and signedness, float64 indicators, fixed-length strings (numpy 'S' NULLPAD,
#   fixed UTF-8, SPACEPAD, NULLTERM) and string attributes in every form read as the native file does:
#   the same inspect output, and with all of them in one file the same trained model and the same
#   scores and lists;
# - a negative id, region or brand, a uint8 label 255, a GBK region name, a repeated region or brand
#   name, an integer month attribute, an infinity in the indicators (train and score, labelled or
#   not) each end with the documented exit code and one message naming file, dataset, row (column);
#   no output is written;
# - model files inconsistent in one way (n_brands against the brand names, n_factors, an index out of
#   range, the design width) exit 4 naming the file and what disagrees; a NaN coefficient exits 5;
# - every indicator constant: train exits 5 saying no indicator varies;
# - option values: --subscribers 1.9, --top 0.7, --top nan, --memory 0.1, --l2 inf exit 1 naming the
#   option and value; --memory 2G / 512M / plain bytes and --top 1e2 accepted;
# - CSV import: 1e400 and -inf in a numeric column exit 5 with line and column.
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
FORMS="$(dirname "$0")/h5forms.py"
MBAD="$(dirname "$0")/modelbad.py"
"$PY" -c "import h5py" 2>/dev/null || fail "h5py missing: apt-get install python3-h5py (scripts/setup.sh)"
N=3001
LAST=$((N - 5)) # a row of the last rank at 3 ranks
run 2 "$CS" generate --out "$T/s.h5" --subscribers $N --seed 5 --quiet || fail "generate"
run 2 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --quiet > /dev/null 2>&1 || fail "train native"
"$PY" "$FORMS" "$T/s.h5" "$T/u.h5" nolabels || fail "h5forms nolabels"

# what inspect says, without the lines that name the file itself or when it was made
view() { grep -v '"file"\|"created"\|"training_snapshot"\|"version"' "$1"; }
run 1 "$CS" inspect "$T/s.h5" --json > "$T/native.raw" || fail "inspect native"
view "$T/native.raw" > "$T/native.json"

# ---- accepted forms: the same as the native file ----
for f in ids_i64 region_i32 region_u8 region_i64 brand_i16 brand_u64 churned_i32 churned_u8ok \
         features_f64 names_S names_fixed_utf8 names_spacepad names_nullterm month_S month_fixed_utf8 \
         month_vlen_ascii version_i8 window_f64 churn_type_u32; do
  "$PY" "$FORMS" "$T/s.h5" "$T/$f.h5" "$f" || fail "h5forms $f"
  for n in 1 3; do
    run $n "$CS" inspect "$T/$f.h5" --json > "$T/o.raw" 2> "$T/err.txt" || { cat "$T/err.txt"; fail "$f: inspect at $n ranks"; }
    view "$T/o.raw" | cmp -s - "$T/native.json" || { view "$T/o.raw" | diff - "$T/native.json" | head; fail "$f: inspect differs from the native file at $n ranks"; }
  done
done
# the month of a numpy 'S' attribute keeps its last byte (it once read as 2026-1)
grep -q '"month": "2026-10"' "$T/native.json" || fail "native month"

# all accepted forms in one file: the same model and the same scores and lists
ALL=ids_i64,region_i32,brand_u64,churned_i32,churn_type_u32,features_f64,names_S,month_fixed_utf8,version_i8,window_f64
"$PY" "$FORMS" "$T/s.h5" "$T/all.h5" "$ALL" || fail "h5forms all"
"$PY" "$FORMS" "$T/s.h5" "$T/allu.h5" "ids_i64,region_u8,brand_i16,features_f64,names_spacepad,month_S,nolabels" \
  || fail "h5forms allu"
run 1 "$CS" inspect "$T/m.h5" --json > "$T/m.raw" || fail "inspect model"
view "$T/m.raw" | grep -v '"options"' > "$T/m.json"
for n in 1 3; do
  run $n "$CS" train --in "$T/all.h5" --model "$T/ma$n.h5" --quiet > /dev/null 2> "$T/err.txt" \
    || { cat "$T/err.txt"; fail "train on the h5py forms at $n ranks"; }
  run 1 "$CS" inspect "$T/ma$n.h5" --json > "$T/ma.raw" || fail "inspect model $n"
  view "$T/ma.raw" | grep -v '"options"' | cmp -s - "$T/m.json" \
    || { view "$T/ma.raw" | diff - "$T/m.json" | head; fail "model trained on the h5py forms differs at $n ranks"; }
  run $n "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/sn$n.h5" --lists "$T/Ln$n" > /dev/null 2>&1 \
    || fail "score native at $n ranks"
  run $n "$CS" score --in "$T/all.h5" --model "$T/m.h5" --out "$T/sa$n.h5" --lists "$T/La$n" > /dev/null 2> "$T/err.txt" \
    || { cat "$T/err.txt"; fail "score the h5py forms at $n ranks"; }
  diff -r "$T/Ln$n" "$T/La$n" > /dev/null || fail "lists of the h5py forms differ from the native file's at $n ranks"
  for d in /subscribers/id /subscribers/region /subscribers/probability /subscribers/tier; do
    [ "$(dsum "$T/sn$n.h5" $d)" = "$(dsum "$T/sa$n.h5" $d)" ] || fail "$d of the h5py forms' scores differs at $n ranks"
  done
  run $n "$CS" score --in "$T/u.h5" --model "$T/m.h5" --out "$T/su$n.h5" --lists "$T/Lu$n" > /dev/null 2>&1 \
    || fail "score unlabelled native at $n ranks"
  run $n "$CS" score --in "$T/allu.h5" --model "$T/m.h5" --out "$T/sau$n.h5" --lists "$T/Lau$n" > /dev/null 2> "$T/err.txt" \
    || { cat "$T/err.txt"; fail "score the unlabelled h5py forms at $n ranks"; }
  diff -r "$T/Lu$n" "$T/Lau$n" > /dev/null || fail "lists of the unlabelled h5py forms differ at $n ranks"
done
diff -r "$T/La1" "$T/La3" > /dev/null || fail "lists of the h5py forms differ between 1 and 3 ranks"

# older files still read: a snapshot of format version 1 (no churn types) inspects, trains (saying
# once that the types cannot be told apart: a model without them) and scores (no p_voluntary); a
# model of format version 1 (no /types) scores the version 2 snapshot as it always did
"$PY" "$FORMS" "$T/s.h5" "$T/v1.h5" v1 || fail "h5forms v1"
run 2 "$CS" inspect "$T/v1.h5" --json > "$T/v1.json" || fail "inspect a version 1 snapshot"
grep -q '"format_version": 1' "$T/v1.json" && grep -q '"has_churn_type": false' "$T/v1.json" || fail "v1: inspect"
run 2 "$CS" train --in "$T/v1.h5" --model "$T/mv1.h5" > /dev/null 2> "$T/v1.err" || { cat "$T/v1.err"; fail "train on a version 1 snapshot"; }
[ "$(grep -c "has no /subscribers/churn_type: the voluntary and involuntary leavers cannot be told apart" "$T/v1.err")" = 1 ] \
  || { cat "$T/v1.err"; fail "v1: train should say once that the types cannot be told apart"; }
run 1 "$CS" inspect "$T/mv1.h5" --json > "$T/mv1.json" && grep -q '"churn_types": null' "$T/mv1.json" || fail "v1: model with types"
run 2 "$CS" score --in "$T/v1.h5" --model "$T/mv1.h5" --out "$T/sv1.h5" --lists "$T/Lv1" > /dev/null 2>&1 || fail "score a version 1 snapshot"
h5ls "$T/sv1.h5/subscribers" | has p_voluntary && fail "v1: scores without types hold p_voluntary"
"$PY" - "$T/m.h5" "$T/m1.h5" <<'PY' || fail "make a version 1 model"
import shutil, sys
import h5py
shutil.copyfile(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    f.attrs["format_version"] = 1
    for k in ("types", "holdout/voluntary", "holdout/involuntary"):
        if k in f:
            del f[k]
    for a in ("churn_types", "churn_types_reason"):
        if a in f.attrs:
            del f.attrs[a]
PY
run 2 "$CS" score --in "$T/s.h5" --model "$T/m1.h5" --out "$T/sm1.h5" --lists "$T/Lm1" > /dev/null 2>&1 || fail "score with a version 1 model"
[ "$(dsum "$T/sm1.h5" /subscribers/probability)" = "$(dsum "$T/sn1.h5" /subscribers/probability)" ] \
  || fail "a version 1 model scores other probabilities"
# ids narrower than 64 bits (numbered 1..N): int16 and uint16 score as uint64 does
for f in ids_rowno_u64 ids_rowno_i16 ids_rowno_u16; do
  "$PY" "$FORMS" "$T/s.h5" "$T/$f.h5" "$f,nolabels" || fail "h5forms $f"
  for n in 1 3; do
    run $n "$CS" score --in "$T/$f.h5" --model "$T/m.h5" --out "$T/s_$f$n.h5" --lists "$T/L_$f$n" > /dev/null 2> "$T/err.txt" \
      || { cat "$T/err.txt"; fail "score $f at $n ranks"; }
    diff -r "$T/L_ids_rowno_u64$n" "$T/L_$f$n" > /dev/null || fail "$f: lists differ from uint64 ids at $n ranks"
    [ "$(dsum "$T/s_ids_rowno_u64$n.h5" /subscribers/id)" = "$(dsum "$T/s_$f$n.h5" /subscribers/id)" ] \
      || fail "$f: /subscribers/id of the scores differs from uint64 ids at $n ranks"
  done
done

# ---- refused forms: exit code, one message naming file, dataset and row; no output ----
# expect CODE PATTERN N CMD...: the command at N ranks exits CODE with one error line matching PATTERN
expect() {
  local code=$1 pat=$2 n=$3; shift 3
  set +e
  run "$n" "$CS" "$@" > "$T/out.txt" 2> "$T/err.txt"
  local rc=$?
  set -e
  [ "$rc" = "$code" ] || { cat "$T/err.txt"; fail "'$*' at $n ranks: exit $rc, expected $code"; }
  [ "$(grep -c '^churnscore: error:' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "'$*' at $n ranks: not one error message"; }
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "'$*' at $n ranks: message lacks '$pat'"; }
}
nothing_left() { for x in "$@"; do [ -e "$x" ] || [ -e "$x.tmp" ] && fail "output $x left behind"; done; return 0; }

bad() { # FORM CODE PATTERN (ROW given in the environment)
  local f=$1 code=$2 pat=$3
  "$PY" "$FORMS" "$T/s.h5" "$T/bad_$f.h5" "$f" || fail "h5forms $f"
  expect "$code" "$T/bad_$f.h5: $pat" 1 inspect "$T/bad_$f.h5"
  expect "$code" "$T/bad_$f.h5: $pat" 3 inspect "$T/bad_$f.h5"
  expect "$code" "$T/bad_$f.h5: $pat" 3 score --in "$T/bad_$f.h5" --model "$T/m.h5" --out "$T/x.h5" --lists "$T/Lx"
  nothing_left "$T/x.h5" "$T/Lx"
}
export ROW=$LAST
bad id_neg 5 "/subscribers/id row $LAST: id -7 is negative"
bad region_neg 5 "/subscribers/region row $LAST: index -1 out of range"
bad brand_neg 5 "/subscribers/brand row $LAST: index -3 out of range"
bad feat_inf 5 "/subscribers/features row $LAST column 3 (new_subscriber): value inf is not finite"
bad feat_ninf 5 "/subscribers/features row $LAST column 3 (new_subscriber): value -inf is not finite"
bad region_gbk 4 "/regions/name row 3: not valid UTF-8"
bad region_dup 4 "/regions/name row 2: name '.*' repeats row 1"
bad brand_dup 4 "/brands/name row 2: name '.*' repeats row 0"
bad month_int 4 "attribute month has the wrong type (integer), expected a string"
# labels: 255 in a uint8 dataset is 255, not 127; infinities in training and in an unlabelled file
"$PY" "$FORMS" "$T/s.h5" "$T/l255.h5" churned_255 || fail "h5forms churned_255"
"$PY" "$FORMS" "$T/s.h5" "$T/tinf.h5" feat_inf || fail "h5forms feat_inf"
"$PY" "$FORMS" "$T/s.h5" "$T/uinf.h5" feat_inf,nolabels || fail "h5forms feat_inf,nolabels"
for n in 1 3; do
  expect 5 "$T/l255.h5: /subscribers/churned row $LAST: value 255 (must be 1, 0 or -1)" $n train --in "$T/l255.h5" --model "$T/x.h5"
  expect 5 "$T/l255.h5: /subscribers/churned row $LAST: value 255" $n inspect "$T/l255.h5"
  expect 5 "$T/tinf.h5: /subscribers/features row $LAST column 3 (new_subscriber): value inf" $n train --in "$T/tinf.h5" --model "$T/x.h5"
  expect 5 "$T/uinf.h5: /subscribers/features row $LAST column 3 (new_subscriber): value inf" $n \
    score --in "$T/uinf.h5" --model "$T/m.h5" --out "$T/x.h5" --lists "$T/Lx"
  nothing_left "$T/x.h5" "$T/Lx"
done
unset ROW

# ---- model files inconsistent in one way: exit 4 naming the file and what disagrees ----
mbad() { # FORM PATTERN [CODE]
  local code=${3:-4}
  "$PY" "$MBAD" "$T/m.h5" "$T/mb_$1.h5" "$1" || fail "modelbad $1"
  for n in 1 3; do
    expect $code "$T/mb_$1.h5: $2" $n score --in "$T/s.h5" --model "$T/mb_$1.h5" --out "$T/x.h5" --lists "$T/Lx"
    nothing_left "$T/x.h5" "$T/Lx"
  done
  expect $code "$T/mb_$1.h5: $2" 1 inspect "$T/mb_$1.h5"
}
mbad nbrands "/inputs/brand_names has 3 names, but the model has 5 brands"
mbad nbrands_small "/inputs/brand_names has 3 names, but the model has 1 brands"
mbad nfactors "/factors/loadings has [0-9]* values, expected"
mbad beta_nan "/logit/beta row 2: value nan is not finite" 5
mbad fa_idx "/inputs/indicator_index row 1: 999 out of range"
mbad tenure "lifecycle index out of range (tenure_index -5"
mbad ncoef "[0-9]* logistic coefficients, but the inputs make [0-9]* columns"

# ---- every indicator constant ----
"$PY" "$FORMS" "$T/s.h5" "$T/const.h5" constant || fail "h5forms constant"
for n in 1 3; do
  expect 5 "$T/const.h5: no indicator varies: all 46 are constant" $n train --in "$T/const.h5" --model "$T/x.h5"
  nothing_left "$T/x.h5"
done

# ---- option values ----
SC="score --in $T/s.h5 --model $T/m.h5 --out $T/x.h5 --lists $T/Lx"
for n in 1 3; do
  expect 1 "option --subscribers: '1.9' is not a whole number" $n generate --out "$T/x.h5" --subscribers 1.9
  expect 1 "option --block-rows: '0' is out of range (1 to 16777216)" $n generate --out "$T/x.h5" --block-rows 0
  expect 1 "option --top: '0.7' is not a whole number" $n $SC --top 0.7
  expect 1 "option --top: 'nan' is not a whole number" $n $SC --top nan
  expect 1 "option --memory: '0.1' is not a size in bytes" $n $SC --memory 0.1
  expect 1 "option --horizon: 'inf' is not a finite number" $n $SC --horizon inf
  expect 1 "option --l2: 'nan' is not a finite number" $n train --in "$T/s.h5" --model "$T/x.h5" --l2 nan
  expect 1 "option --max-corr: '1.5' is out of range (0 to 1)" $n train --in "$T/s.h5" --model "$T/x.h5" --max-corr 1.5
  nothing_left "$T/x.h5" "$T/Lx"
done
# through a file: grep -q ending the pipe early would end --help with SIGPIPE, a failure under pipefail
"$CS" score --help > "$T/help.txt" || fail "score --help"
grep -q -- "--block-rows N.*\[1 to 16777216\]" "$T/help.txt" || fail "--help does not show the range of --block-rows"
for v in "--memory 2G" "--memory 512M" "--memory 1000000000" "--top 1e2"; do
  run 1 "$CS" $SC $v > /dev/null 2> "$T/err.txt" || { cat "$T/err.txt"; fail "score $v refused"; }
  rm -rf "$T/x.h5" "$T/Lx"
done

# ---- CSV import: a number out of range is an error with line and column, not a category ----
"$PY" - "$T" <<'EOF'
import random, sys
random.seed(3)
for name, bad in (("big", "1e400"), ("ninf", "-inf")):
    with open(sys.argv[1] + "/" + name + ".csv", "w") as f:
        f.write("id,churn,arpu,calls\n")
        for i in range(800):
            a = "%.3f" % random.uniform(1, 100)
            if i == 400:
                a = bad
            f.write("%d,%s,%s,%d\n" % (i + 1, "yes" if random.random() < 0.2 else "no", a, random.randint(0, 50)))
EOF
for n in 1 3; do
  expect 5 "big.csv, line 402, column 3 (arpu): '1e400' is beyond the float32 range" $n \
    import --csv "$T/big.csv" --out "$T/x.h5" --id id --label churn --positive yes
  expect 5 "ninf.csv, line 402, column 3 (arpu): '-inf' is not a finite number" $n \
    import --csv "$T/ninf.csv" --out "$T/x.h5" --id id --label churn --positive yes
  nothing_left "$T/x.h5"
done
echo "test_inputs: all passed"

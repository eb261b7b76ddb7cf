#!/bin/bash
# derived indicators (train --derived, model/derived.h, issue 21):
#   - train --derived default on a generated month: the model file is identical for 1, 2 and 3 ranks,
#     and keeps the formulas of the derived indicators its inputs name (/inputs/derived_names,
#     derived_formulas);
#   - score computes them on next month's snapshot: scores and lists identical for 1 and 3 ranks, and
#     five of them copied into the lists (--list-columns) equal their formulas worked by numpy from
#     the snapshot's columns on every listed row;
#   - a site file of formulas: used by name; its errors name the file, the line and the column (exit
#     5) and leave no model; a formula naming a missing indicator (exit 5); the file given as --model
#     is refused (exit 1) and left as it was; score on a snapshot without a source column (exit 5).
source "$(dirname "$0")/common.sh"
PY=/usr/bin/python3
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 30000 --seed 5 --regions 4 --quiet || fail "generate"
run 2 "$CS" generate --out "$T/m2.h5" --follows "$T/m1.h5" --quiet || fail "generate month 2"
msum() {
  local f=$1
  for d in $(h5ls -r "$f" | awk '$2=="Dataset"{print $1}'); do echo "$d $(dsum "$f" "$d")"; done
  h5dump -A "$f" | grep -v -A2 'ATTRIBUTE "created"' | grep -v '"20[0-9][0-9]-'
}
for n in 1 2 3; do
  mkdir -p "$T/r$n"
  (cd "$T/r$n" && run $n "$CS" train --in "$T/m1.h5" --model model.h5 --derived default --block-rows 7000) \
    > "$T/train$n.txt" 2>&1 || { cat "$T/train$n.txt"; fail "train --derived default ($n ranks)"; }
  (cd "$T/r$n" && msum model.h5) > "$T/msum$n.txt"
done
has "22 derived indicators (--derived default) after the snapshot's 46" "$T/train1.txt" || { cat "$T/train1.txt"; fail "derived count"; }
for n in 2 3; do
  cmp "$T/msum1.txt" "$T/msum$n.txt" || { diff "$T/msum1.txt" "$T/msum$n.txt" | head; fail "model with derived indicators differs between 1 and $n ranks"; }
done
M=$T/r1/model.h5
for n in 1 3; do
  rm -rf "$T/L$n"
  run $n "$CS" score --in "$T/m2.h5" --model "$M" --out "$T/s$n.h5" --lists "$T/L$n" > "$T/score$n.txt" 2>&1 \
    || { cat "$T/score$n.txt"; fail "score with derived inputs ($n ranks)"; }
done
for d in /subscribers/probability /subscribers/reasons /subscribers/phase /subscribers/queue; do
  [ "$(dsum "$T/s1.h5" $d)" = "$(dsum "$T/s3.h5" $d)" ] || fail "$d differs between 1 and 3 ranks"
done
diff -r "$T/L1" "$T/L3" > /dev/null || fail "lists differ between 1 and 3 ranks"
# what score computed: four derived indicators copied into the lists (--list-columns), against each
# formula worked by numpy from the snapshot's own columns, row by row by id
# (those of the five worked below that the model reads: score computes the model's derived inputs only)
COLS=$("$PY" -c "import h5py, sys; d = [x.decode() for x in h5py.File(sys.argv[1], 'r')['/inputs/derived_names'][:]]
print(','.join(n for n in ('mou_chg', 'mou_chg_rel', 'sms_min3', 'data_voice_share_m3', 'data_mb_mean3') if n in d))" "$M")
[ "$(echo "$COLS" | tr ',' '\n' | wc -l)" -ge 4 ] || fail "the model reads too few of the derived indicators checked here: $COLS"
rm -rf "$T/Lc"
run 1 "$CS" score --in "$T/m2.h5" --model "$M" --out "$T/sc.h5" --lists "$T/Lc" \
  --list-columns "$COLS" > "$T/scc.txt" 2>&1 \
  || { cat "$T/scc.txt"; fail "score --list-columns with derived names"; }
"$PY" - "$M" "$T/m2.h5" "$T/Lc" <<'PY' || fail "derived values do not match their formulas"
import sys, os, csv, h5py, numpy as np
m = h5py.File(sys.argv[1], "r"); s = h5py.File(sys.argv[2], "r")
dn = [x.decode() for x in m["/inputs/derived_names"][:]]
inputs = [x.decode() for x in m["/inputs/names"][:]]
assert dn and set(dn) <= set(inputs), (dn, inputs)
names = [x.decode() for x in s["/subscribers/feature_names"][:]]
X = s["/subscribers/features"][:].astype(np.float64)
row = {int(i): k for k, i in enumerate(s["/subscribers/id"][:])}
c = lambda n: X[:, names.index(n)]
with np.errstate(all="ignore"):
    base = (c("mou_m1") + c("mou_m2")) / 2
    want = {
        "mou_chg": c("mou_m3") - base,
        "mou_chg_rel": np.where(base == 0, np.nan, (c("mou_m3") - base) / base),
        "sms_min3": np.nanmin(np.c_[c("sms_m1"), c("sms_m2"), c("sms_m3")], 1),
        "data_voice_share_m3": c("data_mb_m3") / (c("data_mb_m3") + c("mou_m3")),
        "data_mb_mean3": np.nanmean(np.c_[c("data_mb_m1"), c("data_mb_m2"), c("data_mb_m3")], 1),
    }
want = {k: v.astype(np.float32) for k, v in want.items()}
checked = 0
for fn in sorted(os.listdir(sys.argv[3])):
    if not fn.endswith(("-retention.csv", "-collections.csv", "-billing.csv")): continue
    for r in csv.DictReader(open(os.path.join(sys.argv[3], fn), encoding="utf-8-sig")):
        k = row[int(r["id"])]
        for n, v in want.items():
            if n not in r: continue
            got, w = r[n], float(v[k])
            if np.isnan(w): assert got == "", (fn, r["id"], n, got)
            else: assert abs(float(got) - w) <= 1e-5 * max(1.0, abs(w)), (fn, r["id"], n, got, w)
        checked += 1
assert checked > 1000, checked
print("derived values checked on", checked, "list rows;", len(dn), "derived inputs of", len(inputs))
PY
# a site file: two formulas, used by name
cat > "$T/site.txt" <<'EOF'
# last month against the first, and a flag
mou_ratio = mou_m3 / mou_m1
heavy_data = data_mb_m3 > 2 * mean(data_mb)
EOF
run 1 "$CS" train --in "$T/m1.h5" --model "$T/site.h5" --derived "$T/site.txt" --inputs raw > "$T/site_train.txt" 2>&1 \
  || { cat "$T/site_train.txt"; fail "train --derived FILE"; }
has "2 derived indicators (--derived $T/site.txt)" "$T/site_train.txt" || fail "site file's count"
# the analyst sees the formulas the model will compute (those it reads: mou_ratio at least)
run 1 "$CS" inspect "$T/site.h5" > "$T/site_inspect.txt" 2>&1 || fail "inspect the site model"
has -F "derived indicator: mou_ratio = mou_m3 / mou_m1" "$T/site_inspect.txt" || { cat "$T/site_inspect.txt"; fail "inspect: no formula"; }
# errors: each one message with the file, the line and the column, exit 5, no model written
printf 'ok = mou_m1 + 1\n\nbad = mou_m3 * \n' > "$T/bad1.txt"
printf 'x = mou_m4 / 2\n' > "$T/bad2.txt"
printf 'mou_m1 = mou_m2\n' > "$T/bad3.txt"
i=0
for c in "bad1.txt|line 3 column 15" "bad2.txt|unknown indicator 'mou_m4'" "bad3.txt|already has an indicator of that name"; do
  f=${c%%|*}; msg=${c#*|}; i=$((i + 1))
  rc=0; run 2 "$CS" train --in "$T/m1.h5" --model "$T/bad$i.h5" --derived "$T/$f" > "$T/e$i.txt" 2>&1 || rc=$?
  [ "$rc" = 5 ] || { cat "$T/e$i.txt"; fail "$f: exit $rc, expected 5"; }
  has -F "$msg" "$T/e$i.txt" || { cat "$T/e$i.txt"; fail "$f: message lacks '$msg'"; }
  [ ! -e "$T/bad$i.h5" ] || fail "$f: a model was written"
done
has -F "$T/bad1.txt line 3 column 15" "$T/e1.txt" || fail "bad1: file and line"
# the formula file given as --model is refused before anything is written
cp "$T/site.txt" "$T/site.bak"
rc=0; run 1 "$CS" train --in "$T/m1.h5" --model "$T/site.txt" --derived "$T/site.txt" > "$T/e4.txt" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$T/e4.txt"; fail "--derived as --model: exit $rc, expected 1"; }
cmp "$T/site.txt" "$T/site.bak" || fail "the formula file was touched"
# score on a snapshot whose mou_m1 is renamed: the derived input cannot be computed
"$PY" - "$T/m2.h5" "$T/m2x.h5" <<'PY' || fail "h5py rename"
import sys, shutil, h5py, numpy as np
shutil.copy(sys.argv[1], sys.argv[2])
with h5py.File(sys.argv[2], "r+") as f:
    n = [x.decode() for x in f["/subscribers/feature_names"][:]]
    n[n.index("mou_m1")] = "mou_first"
    del f["/subscribers/feature_names"]
    f["/subscribers/feature_names"] = np.array([x.encode() for x in n], dtype=h5py.string_dtype("ascii"))
PY
rc=0; run 1 "$CS" score --in "$T/m2x.h5" --model "$T/site.h5" --out "$T/sx.h5" --lists "$T/Lx" > "$T/e5.txt" 2>&1 || rc=$?
[ "$rc" = 5 ] || { cat "$T/e5.txt"; fail "score without a source column: exit $rc, expected 5"; }
has "derived indicator 'mou_ratio'" "$T/e5.txt" && has "unknown indicator 'mou_m1'" "$T/e5.txt" || { cat "$T/e5.txt"; fail "score: message"; }
[ ! -e "$T/sx.h5" ] && [ ! -e "$T/Lx" ] || fail "score wrote output after the error"
echo "test_derived: OK"

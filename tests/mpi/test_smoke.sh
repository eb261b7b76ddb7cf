#!/bin/bash
# smoke: every command once, at 2 ranks, on a small generated operator — generate (two months),
# train (both model kinds, with a report), score, inspect of each kind of file, snap2csv + import
# (and import --like), evaluate in both modes. It asserts each step succeeds, leaves no .tmp and
# writes what it should; the real checks live in the per-command tests. Its job is the sanitizer
# tree (-DCS_SANITIZE=ON, label sanitize): in a few seconds it drives every pipeline's main path
# under ASan and UBSan, where tests/sanitize/run.sh fails it on any report.
source "$(dirname "$0")/common.sh"
S2C="$BUILD/snap2csv"
noleft() { find "$T" -name '*.tmp' | has . && fail "temporary output left: $(find "$T" -name '*.tmp')"; return 0; }
run 2 "$CS" generate --out "$T/m1.h5" --subscribers 12000 --regions 5 --seed 5 --quiet || fail "generate"
run 2 "$CS" generate --follows "$T/m1.h5" --out "$T/m2.h5" --quiet || fail "generate --follows"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/m.h5" --report "$T/r.md" --trees 20 --quiet > "$T/train.txt" \
  || fail "train (auto)"
grep -q . "$T/r.md" || fail "train: empty report"
run 2 "$CS" train --in "$T/m1.h5" --model "$T/ml.h5" --model-kind logit --cache no --quiet > /dev/null \
  || fail "train (logit, re-reading passes)"
run 2 "$CS" score --in "$T/m2.h5" --model "$T/m.h5" --out "$T/s.h5" --lists "$T/L" --top 50 --quiet > /dev/null \
  || fail "score"
[ "$(ls "$T/L" | grep -c '\.csv$')" -ge 5 ] || fail "score: lists missing"
run 2 "$CS" score --in "$T/m1.h5" --model "$T/ml.h5" --out "$T/s1.h5" --lists "$T/L1" --quiet > /dev/null \
  || fail "score (logit)"
for f in m1.h5 m.h5 s.h5; do
  run 2 "$CS" inspect "$T/$f" > /dev/null || fail "inspect $f"
  run 2 "$CS" inspect "$T/$f" --json > "$T/$f.json" || fail "inspect --json $f"
done
"$S2C" "$T/m1.h5" "$T/m1.csv" || fail "snap2csv"
run 2 "$CS" import --csv "$T/m1.csv" --out "$T/i1.h5" --id id --region region --brand brand \
  --label churned --positive yes --month 2026-10 > /dev/null || fail "import"
"$S2C" "$T/m2.h5" "$T/m2.csv" || fail "snap2csv m2"
run 2 "$CS" import --csv "$T/m2.csv" --out "$T/i2.h5" --id id --region region --brand brand \
  --label churned --positive yes --like "$T/i1.h5" --month 2026-11 > /dev/null || fail "import --like"
run 2 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m1.h5" --out "$T/e" > /dev/null || fail "evaluate (labels)"
run 2 "$CS" evaluate --lists "$T/L1" --outcomes "$T/m2.h5" --absent-means-churned --previous "$T/m1.h5" \
  --json > "$T/e.json" || fail "evaluate (absence)"
grep -q '"kind": "evaluation"' "$T/e.json" || fail "evaluate: no JSON"
noleft
echo "smoke: every command ran at 2 ranks"

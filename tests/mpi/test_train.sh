#!/bin/bash
# train: the model file is identical (every dataset, bitwise, and every attribute but the creation
# time) for 1, 2, 3 and 4 ranks; the holdout AUC is within 0.01 of the oracle AUC; the loadings match
# the generator's true loadings (Tucker congruence >= 0.95 per factor); inspect --json reports the
# promised fields; bad input gives a clear message and leaves no model behind.
source "$(dirname "$0")/common.sh"
run 2 "$CS" generate --out "$T/s.h5" --subscribers 60000 --seed 11 --quiet || fail "generate"
# every dataset's bytes and every attribute (without the creation time) of a model file
msum() {
  local f=$1
  for d in $(h5ls -r "$f" | awk '$2=="Dataset"{print $1}'); do echo "$d $(dsum "$f" "$d")"; done
  h5dump -A "$f" | grep -v -A2 'ATTRIBUTE "created"' | grep -v '"20[0-9][0-9]-'
}
for n in 1 2 3 4; do
  mkdir -p "$T/r$n"  # same model path in each run: the options are part of the file
  (cd "$T/r$n" && run $n "$CS" train --in "$T/s.h5" --model model.h5 --block-rows 20000) > "$T/train$n.txt" 2>&1 \
    || { cat "$T/train$n.txt"; fail "train with $n ranks"; }
  (cd "$T/r$n" && msum model.h5) > "$T/msum$n.txt"
done
[ "$(grep -c '^/' "$T/msum1.txt")" -ge 20 ] || fail "too few datasets in the model file"
# --inputs best compares the three logistic candidates on the validation rows: the same model at 1 and
# 3 ranks, their AUCs in the log and the model file, the model taking the inputs of the best one, and
# the report's table of the three with that one marked
for n in 1 3; do
  mkdir -p "$T/b$n"
  (cd "$T/b$n" && run $n "$CS" train --in "$T/s.h5" --model model.h5 --inputs best --model-kind logit --report rep.md \
     --block-rows 20000) > "$T/best$n.txt" 2>&1 || { cat "$T/best$n.txt"; fail "train --inputs best ($n ranks)"; }
  (cd "$T/b$n" && msum model.h5) > "$T/bsum$n.txt"
done
cmp "$T/bsum1.txt" "$T/bsum3.txt" || { diff "$T/bsum1.txt" "$T/bsum3.txt" | head; fail "--inputs best: model differs between 1 and 3 ranks"; }
has "inputs candidates (" "$T/best1.txt" || { cat "$T/best1.txt"; fail "no inputs candidates in the log"; }
has "inputs candidates (" "$T/train1.txt" && fail "the default (--inputs auto) compared candidates"
for c in factors raw both; do
  h5dump -a inputs_candidate_auc_$c "$T/b1/model.h5" | has "(0): 0\.[5-9]" || fail "model file: inputs_candidate_auc_$c"
done
[ "$(grep -c '^| \(factor scores\|raw indicators\|factors and raw indicators\) | 0\.[0-9]\{4\} |' "$T/b1/rep.md")" = 3 ] \
  || { sed -n '/Inputs compared/,/^$/p' "$T/b1/rep.md"; fail "report: no table of the three candidates"; }
chosen=$(sed -n 's/^| \(.*\) | 0\.[0-9]* | chosen |$/\1/p' "$T/b1/rep.md")
inp=$(h5dump -a inputs "$T/b1/model.h5" | sed -n 's/.*(0): "\(.*\)".*/\1/p')
case "$inp:$chosen" in factors:"factor scores"|raw:"raw indicators"|both:"factors and raw indicators") ;;
  *) fail "report chose '$chosen', the model file's inputs are '$inp'";; esac
for n in 2 3 4; do
  cmp "$T/msum1.txt" "$T/msum$n.txt" || { diff "$T/msum1.txt" "$T/msum$n.txt" | head; fail "model differs between 1 and $n ranks"; }
done
# the cached design matrix and the re-read path give the same model
mkdir -p "$T/low"
(cd "$T/low" && run 2 "$CS" train --in "$T/s.h5" --model model.h5 --cache no --block-rows 20000) > "$T/low.txt" 2>&1 \
  || { cat "$T/low.txt"; fail "train with a small memory budget"; }
grep -q "re-read each pass" "$T/low.txt" || fail "--cache no should not cache the design matrix"
(cd "$T/low" && msum model.h5) | sed 's/cache=[a-z]*//' > "$T/msumlow.txt"
sed 's/cache=[a-z]*//' "$T/msum2.txt" | cmp - "$T/msumlow.txt" || fail "model differs between cached and re-read design"

# the warm start (IRLS first on an in-memory sample, then on every row) is rank-independent too, and
# the same whether the design matrix is re-read (1 rank, as when it exceeds --memory) or cached (3
# ranks): the cache depends on rows per rank, so a path that depended on it would differ by rank count
for n in 1 3; do
  mkdir -p "$T/w$n"
  c=$([ $n = 1 ] && echo no || echo auto)
  (cd "$T/w$n" && run $n "$CS" train --in "$T/s.h5" --model model.h5 --cache $c --warm-rows 10000 \
     --block-rows 20000) > "$T/warm$n.txt" 2>&1 || { cat "$T/warm$n.txt"; fail "warm-start train with $n ranks"; }
  grep -q "warm start converged on the sample" "$T/warm$n.txt" || fail "warm start not used"
  (cd "$T/w$n" && msum model.h5) | sed 's/cache=[a-z]*//' > "$T/wsum$n.txt"
done
grep -q "re-read each pass" "$T/warm1.txt" && grep -q "cached in memory" "$T/warm3.txt" \
  || fail "the warm-start runs should take the re-read (1 rank) and the cached (3 ranks) paths"
cmp "$T/wsum1.txt" "$T/wsum3.txt" || fail "warm-start model differs between 1 rank re-read and 3 ranks cached"

# maximum likelihood extraction: also rank-independent, and its loadings match the truth too
for n in 1 3; do
  mkdir -p "$T/ml$n"
  (cd "$T/ml$n" && run $n "$CS" train --in "$T/s.h5" --model model.h5 --extraction ml --factors 6 --inputs factors \
     --model-kind logit --block-rows 20000) > "$T/ml$n.txt" 2>&1 || { cat "$T/ml$n.txt"; fail "ml train with $n ranks"; }
  grep -q "maximum likelihood extraction" "$T/ml$n.txt" || fail "ml extraction not reported"
  (cd "$T/ml$n" && msum model.h5) > "$T/mlsum$n.txt"
done
cmp "$T/mlsum1.txt" "$T/mlsum3.txt" || fail "ml model differs between 1 and 3 ranks"
"$BUILD/congruence" "$T/ml1/model.h5" "$T/s.h5" 0.95 > /dev/null || fail "ml loadings do not match the true loadings"

# quality on a bigger operator: AUC close to the oracle, loadings close to the truth
run 2 "$CS" generate --out "$T/big.h5" --subscribers 400000 --seed 5 --quiet || fail "generate big"
run 2 "$CS" train --in "$T/big.h5" --model "$T/big6.h5" --factors 6 --inputs factors --report "$T/report.md" > "$T/big.txt" 2>&1 \
  || { cat "$T/big.txt"; fail "train big"; }
"$BUILD/congruence" "$T/big6.h5" "$T/big.h5" 0.95 || fail "loadings do not match the true loadings"
run 1 "$CS" inspect --json "$T/big6.h5" > "$T/big6.json"
python3 - "$T/big6.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["kind"] == "model" and j["factors"] == 6, (j["kind"], j["factors"])
assert j["features_used"] > 20
h = j["holdout"]
for k in ("auc", "lift_top10", "n", "oracle_auc"):
    assert h[k] is not None, k
assert h["n"] > 50000
gap = h["oracle_auc"] - h["auc"]
print("holdout AUC %.4f oracle %.4f gap %.4f lift %.2f" % (h["auc"], h["oracle_auc"], gap, h["lift_top10"]))
assert gap < 0.01, gap
assert h["lift_top10"] > 3
PY
for s in "## Screening" "## Factor analysis" "## Logistic coefficients" "## Holdout metrics" "collinear with"; do
  grep -q "$s" "$T/report.md" || fail "report lacks '$s'"
done

# bad input: clear message, non-zero exit, no model file
"$BUILD/badfiles" "$T/s.h5" "$T" || fail "badfiles"
run 2 "$CS" generate --out "$T/tiny.h5" --subscribers 30 --quiet
bad() { # bad PATTERN SNAPSHOT
  if run 2 "$CS" train --in "$2" --model "$T/bad.h5" > "$T/o.txt" 2> "$T/e.txt"; then fail "train accepted $2"; fi
  grep -q -- "$1" "$T/e.txt" || { cat "$T/e.txt"; fail "message lacks '$1'"; }
  [ -e "$T/bad.h5" ] || [ -e "$T/bad.h5.tmp" ] && fail "a model file was left behind for $2"
  return 0
}
bad "nolabels.h5: has no labels" "$T/nolabels.h5"
bad "oneclass.h5: the training rows hold one class only" "$T/oneclass.h5"
bad "tiny.h5: .* labelled training rows for 46 indicators" "$T/tiny.h5"
bad "allnan.h5: every indicator was dropped by screening" "$T/allnan.h5"
bad "cannot open" "$T/nothere.h5"
run 3 "$CS" generate --out "$T/empty.h5" --subscribers 0 --quiet || fail "generate 0 subscribers"
bad "empty.h5: no labelled training rows (0 subscribers" "$T/empty.h5"
if run 2 "$CS" train --in "$T/s.h5" --model "$T/bad.h5" --memory 1M > /dev/null 2> "$T/e.txt"; then fail "1M budget accepted"; fi
grep -q "too small" "$T/e.txt" || { cat "$T/e.txt"; fail "no clear message for a too small --memory"; }
echo "train: identical for 1-4 ranks; AUC near oracle; loadings congruent; bad input refused"

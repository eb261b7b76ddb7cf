#!/bin/bash
# retention (issue 14): scripts/bench-retention.sh at 200,000 subscribers (about 5 s here): trained on
# a generated month, scoring the next one, the top 5% by p_voluntary holds more of that month's
# voluntary leavers than the top 5% by the probability of any churn (by 0.02 at least) and comes
# within 0.05 of the true voluntary probabilities; each type's probability is calibrated within 15%
# overall and in its top three deciles (the 1M benchmark holds the issue's 0.03 and 10%: README).
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(dirname "$0")/../..}
CS_BUILD=$BUILD CS_BENCH_DIR="$T/bench" BENCH_GAP=0.05 BENCH_MARGIN=0.02 BENCH_CAL=0.15 \
  timeout 300 sh "$SRC/scripts/bench-retention.sh" 200000 > "$T/bench.txt" 2>&1 || { cat "$T/bench.txt"; fail "bench-retention.sh 200000"; }
cat "$T/bench.txt"
grep -q "^ok  : (a) above (c)" "$T/bench.txt" || fail "no comparison of (a) and (c)"
[ "$(grep -c '^ok  :' "$T/bench.txt")" = 4 ] || fail "not every check ran"
echo "retention: p_voluntary finds the voluntary leavers, both types calibrated"

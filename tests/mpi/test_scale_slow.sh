#!/bin/bash
# The at-scale benchmark script itself, at 1M subscribers (its 100M run is opt-in): it must run end
# to end under a memory budget and report every stage.
source "$(dirname "$0")/common.sh"
CHURNSCORE="$CS" bash "$CS_SRC/scripts/bench-scale.sh" 1000000 2 1G "$T" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; fail "bench-scale"; }
for s in "holdout" "passes" "peak memory/rank" "train+score"; do
  grep -q "$s" "$T/out.txt" || { cat "$T/out.txt"; fail "bench-scale output lacks '$s'"; }
done
echo "bench-scale at 1M: ok"

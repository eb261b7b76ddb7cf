#!/bin/sh
# The main job on a built-in default, in one command:
#   scripts/demo.sh [SUBSCRIBERS] [RANKS]
# installs what is missing (Debian 12), builds, generates a synthetic operator (default 500,000
# subscribers, 18 regions), trains the churn model, scores every subscriber and shows the ranked
# lists per region, in Chinese (the retention, collections and billing-check queues, each row with
# its next action from jobs/playbook.conf). Outputs go to out/demo/.
set -eu
cd "$(dirname "$0")/.."
N=${1:-500000}
R=${2:-2}
[ "${CS_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" > /dev/null
. scripts/mpi-env.sh
MPIRUN="mpirun --oversubscribe -n $R"
D=out/demo
mkdir -p "$D"
echo "== generate: a synthetic operator of $N subscribers"
$MPIRUN build/churnscore generate --out "$D/snapshot.h5" --subscribers "$N"
build/churnscore inspect "$D/snapshot.h5" | head -8
echo "== train"
$MPIRUN build/churnscore train --in "$D/snapshot.h5" --model "$D/model.h5" --report "$D/report.md"
echo "== score"
rm -rf "$D/lists"
$MPIRUN build/churnscore score --in "$D/snapshot.h5" --model "$D/model.h5" --out "$D/scores.h5" \
  --lists "$D/lists" --top 100 --lang zh --list-columns arpu_m1,arpu_m2,arpu_m3,tenure_months,contract_months_left
echo "== the lists of the first two regions ($D/lists/: every region has a retention, a collections and a billing-check list)"
for f in "$D"/lists/0[01]-*.csv; do
  echo "--- $f"
  head -6 "$f" | cut -c1-400
done
echo "--- $D/lists/summary.csv (one row per region)"
cat "$D/lists/summary.csv"
echo "--- $D/lists/drift.csv (population stability of the score and the model inputs)"
head -4 "$D/lists/drift.csv"
echo "== done: model report in $D/report.md"

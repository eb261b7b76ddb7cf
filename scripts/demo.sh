#!/bin/sh
# The main job on a built-in default, in one command:
#   scripts/demo.sh [SUBSCRIBERS] [RANKS]
# installs what is missing (Debian 12), builds, generates a synthetic operator (default 500,000
# subscribers, 18 regions), trains the churn model, scores every subscriber and shows the ranked
# lists per region, in Chinese (the retention, collections and billing-check queues, each row with
# its next action from jobs/playbook.conf); then the next month's analyses, with the suspension and
# forwarding reports of 河南 drilled down to its prefectures, and one group of them saved as a list
# (select). Outputs go to out/demo/.
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
$MPIRUN build/churnscore generate --out "$D/snapshot.h5" --subscribers "$N" --areas --competitors 3
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
echo "== analyze: the next month against this one (churn, suspension, forwarding, traffic change, grid)"
$MPIRUN build/churnscore generate --follows "$D/snapshot.h5" --out "$D/next.h5"
rm -rf "$D/next-lists" "$D/reports"
$MPIRUN build/churnscore score --in "$D/next.h5" --model "$D/model.h5" --out "$D/next-scores.h5" \
  --lists "$D/next-lists" --top 100 --lang zh --quiet > /dev/null
$MPIRUN build/churnscore analyze --in "$D/next.h5" --previous "$D/snapshot.h5" --scores "$D/next-scores.h5" \
  --out "$D/reports"
echo "--- $D/reports/suspension.csv: 河南 and its prefectures, all brands"
head -1 "$D/reports/suspension.csv" | cut -d, -f1-4,6-12
grep -E '^(voluntary|arrears),(region|area),河南,[^,]*,,' "$D/reports/suspension.csv" | cut -d, -f1-4,6-12
echo "--- $D/reports/forwarding.csv: 河南 by competitor, and its prefectures (all competitors, all brands)"
head -1 "$D/reports/forwarding.csv" | cut -d, -f1-4,6-11
grep -E '^([a-z]+,region|all,area),河南,[^,]*,,' "$D/reports/forwarding.csv" | cut -d, -f1-4,6-11
grep -A2 '^- ' "$D/reports/report.md" | head -2
echo "== select: 河南's arrears suspensions in the alarm phase, saved as a list ($D/河南-arrears.csv)"
$MPIRUN build/churnscore select --scores "$D/next-scores.h5" --snapshot "$D/next.h5" --lang zh \
  --where 'phase = alarm and suspended_arrears = 1 and region = 河南' --out "$D/河南-arrears.csv"
head -4 "$D/河南-arrears.csv" | cut -d, -f1-6,12
echo "== done: model report in $D/report.md, the analyses in $D/reports/ (report.md, CSV, JSON)"

#!/bin/bash
# refactor-check.sh — are the models, score files and lists of a fixed run the same, bit for bit, as
# those of an earlier build? Used while code is moved between files (issue 13): save the checksums
# with the build before the change, compare with the build after.
#   scripts/refactor-check.sh BUILD_DIR SUMS_FILE save      # writes SUMS_FILE
#   scripts/refactor-check.sh BUILD_DIR SUMS_FILE compare   # exit 1 and a diff when anything differs
# Datasets are compared by their raw bytes (h5dump -b), so attributes that name the build (version,
# git commit, time) do not count; list CSVs byte for byte. The run: a 60k-subscriber operator, the
# default model choice and the logistic model, scored with lists at 2 ranks, and the next month
# evaluated against its own labels.
set -euo pipefail
BUILD=$(cd "${1:?usage: refactor-check.sh BUILD_DIR SUMS_FILE save|compare}" && pwd)
SUMS=$2 MODE=${3:?save or compare}
CS=$BUILD/churnscore
. "$(dirname "$0")/mpi-env.sh"
export OMPI_MCA_rmaps_base_oversubscribe=1
T=$(mktemp -d /tmp/cs_refactor.XXXXXX)
trap 'rm -rf "$T"' EXIT
run() { local n=$1; shift; mpirun --oversubscribe -n "$n" "$CS" "$@" --quiet > /dev/null; }
run 2 generate --out "$T/s1.h5" --subscribers 60000 --seed 13 --month 2026-10
run 2 generate --out "$T/s2.h5" --follows "$T/s1.h5" --month 2026-11
run 2 train --in "$T/s1.h5" --model "$T/auto.h5"
run 2 train --in "$T/s1.h5" --model "$T/logit.h5" --model-kind logit --factors auto
run 2 score --in "$T/s2.h5" --model "$T/auto.h5" --out "$T/sc.h5" --lists "$T/lists"
run 2 score --in "$T/s2.h5" --model "$T/logit.h5" --out "$T/scl.h5" --lists "$T/listsl" --rank-by value_at_risk
run 2 evaluate --lists "$T/lists" --outcomes "$T/s2.h5" --out "$T/eval"
sums() {
  for f in s1 s2 auto logit sc scl; do
    h5ls -r "$T/$f.h5" | awk '$2=="Dataset" {print $1}' | sort | while read -r d; do
      h5dump -d "$d" -b LE -o "$T/.b" "$T/$f.h5" > /dev/null
      echo "$f.h5:$d $(md5sum < "$T/.b" | cut -d' ' -f1)"
    done
  done
  (cd "$T" && find lists listsl eval.csv -name '*.csv' -o -name '*.json' | sort | xargs md5sum)
}
if [ "$MODE" = save ]; then sums > "$SUMS"; echo "saved $(wc -l < "$SUMS") checksums to $SUMS"
else sums > "$T/now"; if diff "$SUMS" "$T/now"; then echo "identical: $(wc -l < "$SUMS") datasets and lists"; else echo "DIFFERENT" >&2; exit 1; fi; fi

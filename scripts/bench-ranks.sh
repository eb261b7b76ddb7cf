#!/bin/bash
# Strong and weak scaling over rank counts, for a machine with more cores than this one (the 16-core
# device machine: ../shared/device/README.md has the recipe; scripts/device-ranks.sh runs this there).
#   scripts/bench-ranks.sh [N=20000000] [PER_RANK=2000000] [RANKS="1 2 4 8 16"] [DIR=/tmp/cs-ranks]
# Strong scaling: one snapshot of N subscribers, trained (defaults: FA, logistic, boosted trees, the
# choice) and scored (lists of every alarm and warning subscriber) with each rank count.
# Weak scaling: PER_RANK subscribers per rank, generated, trained and scored with each rank count.
# Each run prints wall seconds (mpirun included) and the stage times the command reports itself; the
# strong runs also check that the model (inspect --json) and the lists are identical for every rank
# count. Env: TRAIN_OPTS (default "--memory 6G"), MPIRUN_FLAGS (default "--bind-to core"), CHURNSCORE (the binary), TABLE (a file that
# gets a copy of every output line, written as it goes, so a run cut short still leaves its figures).
set -uo pipefail
N=${1:-20000000}
PER=${2:-2000000}
RANKS=${3:-1 2 4 8 16}
DIR=${4:-/tmp/cs-ranks}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CS=${CHURNSCORE:-$ROOT/build/churnscore}
FLAGS=${MPIRUN_FLAGS---bind-to core}
TABLE=${TABLE:-/dev/null}
# train options for every run: by default a budget that keeps the design matrix cached for any rank
# count, so the strong runs do the same work (with 2 GiB, 1 rank re-reads it each IRLS pass at 20M)
TRAIN_OPTS=${TRAIN_OPTS---memory 6G}
. "$ROOT/scripts/mpi-env.sh"
mkdir -p "$DIR"
now() { date +%s.%N; }
# seconds from $1 to $2 (awk, not bc: the device machine may lack bc)
dt() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b - a}'; }
say() { echo "$*" | tee -a "$TABLE"; }
# mpirun with the binding flags; falls back to no binding when this machine refuses it
mrun() {
  local n=$1; shift
  # shellcheck disable=SC2086
  mpirun $FLAGS -n "$n" "$@" || { echo "(retrying without $FLAGS)" >&2; mpirun --oversubscribe -n "$n" "$@"; }
}
# field after a word in a "word value word value" line
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) {print $(i + 1); exit}}'; }
# train summary "time pass 1 0.59 s, screening+FA 0.00 s, IRLS 1.13 s, trees 6.38 s, holdout 0.23 s, ..."
tfield() { sed -n "s/.*[ ,]$1 \([0-9.]*\) s.*/\1/p" | head -1; }

# one train + score run with R ranks on file F; prints one table row
run_one() {
  local kind=$1 R=$2 F=$3 n=$4 sub="$DIR/$1-$2"
  rm -rf "$sub"; mkdir -p "$sub"
  local t0 t1 t2 t3 rd
  t0=$(now)
  rd=$(mrun "$R" "$CS" score --in "$F" --read-only --quiet 2>"$sub/read.err" | sed -n 's/^read_seconds //p')
  t1=$(now)
  (cd "$sub" && mrun "$R" "$CS" train --in "$F" --model model.h5 $TRAIN_OPTS > train.out 2> train.err) \
    || { say "train failed with $R ranks:"; tail -5 "$sub/train.err" | tee -a "$TABLE"; return 1; }
  t2=$(now)
  (cd "$sub" && mrun "$R" "$CS" score --in "$F" --model model.h5 --out scores.h5 --lists lists \
    > score.out 2> score.err) || { say "score failed with $R ranks:"; tail -5 "$sub/score.err" | tee -a "$TABLE"; return 1; }
  t3=$(now)
  local tl sl
  tl=$(grep '^  time ' "$sub/train.out")
  sl=$(sed -n 's/^timing_seconds //p' "$sub/score.out")
  printf "%-6s %5d %10d %8.2f %7s %7s %7s %7s %8.2f %7s %7s %7s %7s %6s\n" "$kind" "$R" "$n" \
    "$(dt $t1 $t2)" "$(echo "$tl" | tfield 1)" "$(echo "$tl" | tfield IRLS)" \
    "$(echo "$tl" | tfield trees)" "$(echo "$tl" | tfield holdout)" \
    "$(dt $t2 $t3)" "$(echo "$sl" | field pass)" "$(echo "$sl" | field compute)" \
    "$(echo "$sl" | field lists)" "$(echo "$sl" | field validation)" "$rd" | tee -a "$TABLE"
  # what must not depend on the rank count: the model (minus its creation time and file name) and the lists
  "$CS" inspect "$sub/model.h5" --json | grep -v '"created"\|"file"' | md5sum | cut -c1-12 > "$sub/model.sum"
  cat "$sub"/lists/*.csv | md5sum | cut -c1-12 > "$sub/lists.sum"
  rm -f "$sub/scores.h5"
}
header() {
  say "$(printf "%-6s %5s %10s %8s %7s %7s %7s %7s %8s %7s %7s %7s %7s %6s" kind ranks rows \
    train pass1 IRLS trees holdout score pass compute lists valid. read)"
}

say "== churnscore over rank counts on $(hostname): $(nproc) cores, mpirun $FLAGS"
say "   seconds; train/score = wall time of the whole mpirun; pass1 ... holdout and pass ... valid. = the"
say "   stage times the commands print; read = score --read-only (what scoring reads, read the same way)"
t0=$(now); mrun 1 "$CS" --version > /dev/null; t1=$(now)
say "mpirun start-up and exit, 1 rank: $(dt $t0 $t1) s"
MAXR=$(echo $RANKS | tr ' ' '\n' | sort -n | tail -1)

# strong scaling
F="$DIR/strong.h5"
t0=$(now)
mrun "$MAXR" "$CS" generate --out "$F" --subscribers "$N" --quiet || { say "generate failed"; exit 1; }
t1=$(now)
say "strong: $N subscribers, $(du -m "$F" | cut -f1) MB, generated with $MAXR ranks in $(dt $t0 $t1) s"
cat "$F" > /dev/null; cat "$F" > /dev/null
t0=$(now); cat "$F" > /dev/null; t1=$(now)
say "cat $F > /dev/null (page cache): $(dt $t0 $t1) s"
header
for R in $RANKS; do run_one strong "$R" "$F" "$N"; done
same=""
R0=$(echo $RANKS | cut -d' ' -f1)
for R in $RANKS; do
  cmp -s "$DIR/strong-$R0/model.sum" "$DIR/strong-$R/model.sum" || same="$same model differs at $R ranks;"
  cmp -s "$DIR/strong-$R0/lists.sum" "$DIR/strong-$R/lists.sum" || same="$same lists differ at $R ranks;"
done
same=${same:-yes}
# the model summaries of every run in one file (a device call brings back only a few files)
for R in $RANKS; do echo "--- strong, $R ranks"; grep -v '^\[' "$DIR/strong-$R/train.out"; done > "$DIR/train-summaries.txt"
say "strong: model and lists identical to $R0 ranks$(echo " $RANKS" | sed "s/ $R0//") ranks: $same"
rm -f "$F"

# weak scaling: generation too
say "weak: $PER subscribers per rank"
for R in $RANKS; do
  n=$((PER * R)); F="$DIR/weak-$R.h5"
  t0=$(now)
  mrun "$R" "$CS" generate --out "$F" --subscribers "$n" --quiet || { say "generate failed"; exit 1; }
  t1=$(now)
  say "generate $n with $R ranks: $(dt $t0 $t1) s"
done
header
for R in $RANKS; do run_one weak "$R" "$DIR/weak-$R.h5" $((PER * R)); rm -f "$DIR/weak-$R.h5"; done
say "== done"

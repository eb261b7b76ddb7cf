#!/bin/bash
# CSV import throughput beside R's data.table::fread, on the same file in the same run: writes a CSV
# extract of about SIZE bytes (default 1 GB) from a generated snapshot, then times `churnscore import`
# with 1 and 2 ranks (types inferred, and --like the first import's snapshot: the monthly case, where
# the columns and levels are last month's) and fread with 1 and 2 threads, REPEAT times each (default
# 3), interleaved, and prints every time and the best of each. The id, region, brand and label columns are named as an
# operator would name them.
#   scripts/bench-import.sh [SIZE_BYTES] [DIR]
# The extract is written by the test helper snap2csv (build/snap2csv): a 200 000-subscriber generated
# snapshot, its rows repeated with fresh ids until SIZE is reached (50 columns: 46 numeric with the
# shortest decimals that read back to the same float32, Chinese region and brand names, yes/no).
# fread comes from Debian's r-cran-data.table, installed here (apt-get, as root) when missing; set
# NO_FREAD=1 to skip it. Its time is fread's own (system.time around the call, R's start-up left out);
# the import's is the command's wall clock (mpirun and the process start-up included) and, beside it,
# the import's own elapsed time up to the renamed snapshot (its log). fread parses into memory only;
# import also writes the snapshot (about as many bytes as the CSV) and checks the ids.
# Other jobs on the machine change every figure: the script prints the load average it ran under.
# KEEP=1 keeps DIR's files.
set -euo pipefail
SIZE=${1:-1000000000}
DIR=${2:-/tmp/cs-bench-import}
REPEAT=${REPEAT:-3}
BUILD=${CS_BUILD:-$(dirname "$0")/../build}
CS=${CHURNSCORE:-$BUILD/churnscore}
S2C=${SNAP2CSV:-$BUILD/snap2csv}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
rm -f "$DIR/like.h5"
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
[ -x "$S2C" ] || { echo "bench-import: $S2C not built (cmake --build build)" >&2; exit 2; }

FREAD=0
if [ "${NO_FREAD:-0}" != 1 ]; then
  if ! Rscript -e 'suppressMessages(library(data.table))' > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
      echo "bench-import: installing r-cran-data.table (fread) ..." >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q r-cran-data.table > "$DIR/apt.log" 2>&1 \
        || echo "bench-import: apt-get install r-cran-data.table failed (see $DIR/apt.log)" >&2
    else
      echo "bench-import: R's data.table is missing and cannot be installed here (not root): no fread" >&2
    fi
  fi
  Rscript -e 'suppressMessages(library(data.table))' > /dev/null 2>&1 && FREAD=1
fi

mpirun --oversubscribe -n 2 "$CS" generate --out "$DIR/base.h5" --subscribers 200000 --seed 3 --quiet
t0=$(now)
"$S2C" "$DIR/base.h5" "$DIR/extract.csv" --min-bytes "$SIZE"
t1=$(now)
BYTES=$(stat -c %s "$DIR/extract.csv")
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}')
ROWS=$(($(wc -l < "$DIR/extract.csv") - 1))
echo "extract: $MB MB, $ROWS rows x 50 columns; $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-34s %10s %10s\n" "step" "seconds" "MB/s"
row() { awk -v s="$2" -v mb="$MB" -v w="$1" -v x="${3:-}" 'BEGIN{printf "%-34s %10.2f %10.0f %s\n", w, s, mb/s, x}'; }
row "write CSV (snap2csv)" "$(secs "$t0" "$t1")"
# through a pipe: cat straight to /dev/null may skip the reading altogether
t0=$(now); cat "$DIR/extract.csv" | cat > /dev/null; t1=$(now)
row "cat (page cache floor)" "$(secs "$t0" "$t1")"

A=(--csv "$DIR/extract.csv" --id id --region region --brand brand --label churned --positive yes --month 2026-10)
TIMECMD=()
[ -x /usr/bin/time ] && TIMECMD=(/usr/bin/time -f "%M" -o "$DIR/rss.txt")
declare -A BEST
best() { local k=$1 v=$2; if [ -z "${BEST[$k]:-}" ] || [ "$(echo "$v < ${BEST[$k]}" | bc)" = 1 ]; then BEST[$k]=$v; fi; }
for rep in $(seq 1 "$REPEAT"); do
  for n in 1 2; do
    for mode in plain like; do
      [ "$mode" = like ] && [ ! -s "$DIR/like.h5" ] && continue
      L=(); [ "$mode" = like ] && L=(--like "$DIR/like.h5")
      rm -f "$DIR/imported.h5"
      t0=$(now)
      if [ "$n" = 1 ]; then # a singleton MPI job, so that /usr/bin/time sees the process itself
        "${TIMECMD[@]}" "$CS" import "${A[@]}" "${L[@]}" --out "$DIR/imported.h5" > "$DIR/report.txt" 2> "$DIR/import$n$mode.log"
      else
        mpirun --oversubscribe -n "$n" "$CS" import "${A[@]}" "${L[@]}" --out "$DIR/imported.h5" > "$DIR/report.txt" 2> "$DIR/import$n$mode.log"
      fi
      t1=$(now)
      own=$(sed -n 's/^\[ *\([0-9.]*\)s\] import: wrote.*/\1/p' "$DIR/import$n$mode.log")
      s=$(secs "$t0" "$t1")
      k="$n"; w="import"; [ "$mode" = like ] && { k="$n like"; w="import --like"; }
      row "$w, $n rank$([ "$n" = 1 ] || echo s) (run $rep)" "$s" "(own time $own s; load $(cut -d' ' -f1 /proc/loadavg))"
      best "import $k" "$s"; best "import-own $k" "$own"
      # last month's snapshot for --like: the first import's own output (the same columns and levels)
      [ -s "$DIR/like.h5" ] || cp "$DIR/imported.h5" "$DIR/like.h5"
    done
  done
  if [ "$FREAD" = 1 ]; then
    for th in 1 2; do
      s=$(Rscript -e "suppressMessages(library(data.table)); setDTthreads($th); t <- system.time(d <- fread('$DIR/extract.csv', showProgress = FALSE))[['elapsed']]; stopifnot(nrow(d) == $ROWS); cat(t)")
      row "fread, $th thread$([ "$th" = 1 ] || echo s) (run $rep)" "$s" "(load $(cut -d' ' -f1 /proc/loadavg))"
      best "fread $th" "$s"
    done
  fi
done
for n in 1 2; do
  for mode in plain like; do
    grep -E "pass 1|pass 2|ids unique" "$DIR/import$n$mode.log" | sed "s/^\[ *[0-9.]*s\] /  $n rank$([ "$n" = 1 ] || echo s)$([ $mode = like ] && echo ", --like"): /"
  done
done
echo "best of $REPEAT, seconds: import 1 rank ${BEST[import 1]} (own ${BEST[import-own 1]}), 2 ranks ${BEST[import 2]} (own ${BEST[import-own 2]}); import --like 1 rank ${BEST[import 1 like]} (own ${BEST[import-own 1 like]}), 2 ranks ${BEST[import 2 like]} (own ${BEST[import-own 2 like]})$( [ "$FREAD" = 1 ] && echo "; fread 1 thread ${BEST[fread 1]}, 2 threads ${BEST[fread 2]}")"
RSS="unknown (no /usr/bin/time)"
[ -s "$DIR/rss.txt" ] && RSS="$(( $(tail -1 "$DIR/rss.txt") / 1024 )) MB"
echo "extract: $MB MB, $ROWS rows; snapshot $(du -m "$DIR/imported.h5" | cut -f1) MB; import peak memory (1 rank) $RSS; load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${KEEP:-0}" = 1 ] || rm -f "$DIR/base.h5" "$DIR/extract.csv" "$DIR/imported.h5" "$DIR/like.h5"

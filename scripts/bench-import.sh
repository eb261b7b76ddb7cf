#!/bin/bash
# CSV import throughput: writes a CSV extract of about SIZE bytes (default 1 GB) from a generated
# snapshot and times `churnscore import` on it (one rank: import is serial), with the id, region,
# brand and label columns as an operator would name them.
#   scripts/bench-import.sh [SIZE_BYTES] [DIR]
# The extract is written by the test helper snap2csv (build/snap2csv): a 200 000-subscriber generated
# snapshot, its rows repeated with fresh ids until SIZE is reached (50 columns: 46 numeric with the
# shortest decimals that read back to the same float32, Chinese region and brand names, yes/no).
# Prints the seconds and MB/s of CSV for the import and for `cat` of the same file (the page-cache
# floor; the cache is warm, the file was just written), and the import's peak memory.
# KEEP=1 keeps DIR's files.
set -euo pipefail
SIZE=${1:-1000000000}
DIR=${2:-/tmp/cs-bench-import}
BUILD=${CS_BUILD:-$(dirname "$0")/../build}
CS=${CHURNSCORE:-$BUILD/churnscore}
S2C=${SNAP2CSV:-$BUILD/snap2csv}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
now() { date +%s.%N; }
[ -x "$S2C" ] || { echo "bench-import: $S2C not built (cmake --build build)" >&2; exit 2; }

mpirun --oversubscribe -n 2 "$CS" generate --out "$DIR/base.h5" --subscribers 200000 --seed 3 --quiet
t0=$(now)
"$S2C" "$DIR/base.h5" "$DIR/extract.csv" --min-bytes "$SIZE"
t1=$(now)
BYTES=$(stat -c %s "$DIR/extract.csv")
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1e6}')
ROWS=$(($(wc -l < "$DIR/extract.csv") - 1))
printf "%-34s %10s %10s\n" "step" "seconds" "MB/s"
awk -v s="$(echo "$t1 - $t0" | bc)" -v mb="$MB" 'BEGIN{printf "%-34s %10.2f %10.0f\n", "write CSV (snap2csv)", s, mb/s}'

# through a pipe: cat straight to /dev/null may skip the reading altogether
t0=$(now); cat "$DIR/extract.csv" | cat > /dev/null; t1=$(now)
awk -v s="$(echo "$t1 - $t0" | bc)" -v mb="$MB" 'BEGIN{printf "%-34s %10.2f %10.0f\n", "cat (page cache floor)", s, mb/s}'

# churnscore started without mpirun is a one-rank MPI job (singleton), so /usr/bin/time sees it
TIMECMD=()
[ -x /usr/bin/time ] && TIMECMD=(/usr/bin/time -f "%M" -o "$DIR/rss.txt")
t0=$(now)
"${TIMECMD[@]}" "$CS" import \
  --csv "$DIR/extract.csv" --out "$DIR/imported.h5" --id id --region region --brand brand \
  --label churned --positive yes --month 2026-10 > "$DIR/report.txt" 2> "$DIR/import.log"
t1=$(now)
awk -v s="$(echo "$t1 - $t0" | bc)" -v mb="$MB" 'BEGIN{printf "%-34s %10.2f %10.0f\n", "import (1 rank, 2 passes + ids)", s, mb/s}'
grep -E "pass 1|pass 2|ids unique" "$DIR/import.log" | sed 's/^\[ *[0-9.]*s\] /  /'
RSS="unknown (no /usr/bin/time)"
[ -s "$DIR/rss.txt" ] && RSS="$(( $(tail -1 "$DIR/rss.txt") / 1024 )) MB"
echo "extract: $MB MB, $ROWS rows; snapshot $(du -m "$DIR/imported.h5" | cut -f1) MB; import peak memory $RSS"
[ "${KEEP:-0}" = 1 ] || rm -f "$DIR/base.h5" "$DIR/extract.csv" "$DIR/imported.h5"

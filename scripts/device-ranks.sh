#!/bin/bash
# Run on the 16-core device machine (see ../shared/device/README.md), from the project's root, after
# `bash ../shared/device/prepare.sh` here and with carry [".devdeb", "build"]:
#   bash scripts/device-ranks.sh [N] [PER_RANK] [RANKS]
# Writes the scaling table to $OUT/ranks.txt as it goes (a run cut short keeps what it measured), and
# the machine's description and every command's output under $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/cs-device-out}
mkdir -p "$OUT"
source .devdeb/device-env.sh
export D   # the exported mpirun function of device-env.sh needs it in bench-ranks.sh
{ nproc; lscpu | grep -i 'model name\|^CPU(s)\|Thread\|Core\|Socket\|NUMA node(s)'; free -g; df -h /tmp; } > "$OUT/machine.txt" 2>&1
export TABLE=$OUT/ranks.txt
bash scripts/bench-ranks.sh "${1:-20000000}" "${2:-2000000}" "${3:-1 2 4 8 16}" /tmp/cs-ranks > "$OUT/bench.log" 2>&1
rc=$?
# one file of logs: a device call brings back only a few files
cp /tmp/cs-ranks/train-summaries.txt "$OUT/" 2>/dev/null
for f in /tmp/cs-ranks/*/*.out /tmp/cs-ranks/*/*.err; do echo "=== $f"; grep -v pmix "$f"; done > "$OUT/logs.txt" 2>&1
exit $rc

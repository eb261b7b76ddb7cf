#!/bin/bash
# The README as a newcomer reads it: under 150 lines, every file it links exists, and every code
# block marked runnable (a fence opened with "```sh runnable") runs as written, each in an empty
# directory of its own under bash -euo pipefail, with this build installed into a temporary prefix
# and that prefix's bin/ alone on PATH before the system's (as after `apt install` or
# `module load churnscore`). The blocks are meant to be cheap (seconds).
source "$(dirname "$0")/../mpi/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
README="$SRC/README.md"
lines=$(wc -l < "$README")
[ "$lines" -lt 150 ] || fail "README.md has $lines lines (at most 149)"

# links to files of the repository
grep -o '](\([^)#]*\))' "$README" | sed 's/^](//; s/)$//' | grep -v '://' | sort -u | while read -r f; do
  [ -e "$SRC/$f" ] || fail "README links $f, which does not exist"
done

awk -v dir="$T/blocks" '
  /^```sh runnable[ \t]*$/ { n++; f = sprintf("%s/%02d.sh", dir, n); on = 1; next }
  on && /^```[ \t]*$/ { on = 0; close(f); next }
  on { print > f }
' < <(mkdir -p "$T/blocks"; cat "$README")
nblocks=$(find "$T/blocks" -name '*.sh' | wc -l)
[ "$nblocks" -ge 2 ] || fail "README has $nblocks runnable blocks, expected the try-it and the monthly one"

P="$T/prefix"
cmake --install "${BUILD:?}" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }
for b in "$T"/blocks/*.sh; do
  w="$T/run-$(basename "$b" .sh)"
  mkdir -p "$w"
  rc=0
  (cd "$w" && env PATH="$P/bin:/usr/bin:/bin" MANPATH="$P/share/man:" timeout 300 bash -euo pipefail "$b") \
    > "$w.log" 2>&1 || rc=$?
  [ $rc = 0 ] || { echo "--- block:"; cat "$b"; echo "--- output:"; tail -40 "$w.log"; fail "README block $(basename "$b") exited $rc"; }
done
# what the blocks promise: lists from the try-it block, a completed second month from the monthly one
ls "$T"/run-01/lists/*.csv > /dev/null 2>&1 || fail "the try-it block wrote no lists"
[ "$(readlink "$T/run-02/runs/latest")" = 2026-11 ] || fail "the monthly block did not complete 2026-11"
echo "readme: $lines lines, links exist, $nblocks runnable blocks ran as written from an installed prefix"

#!/bin/bash
# disk full: on a small tmpfs sized from the real outputs so that each one in turn runs out of space
# (train's model, train's reports (.md and .html), score's SCORES.h5, score's lists, the last bytes of score's
# outputs, generate's snapshot, evaluate's files), at 1 and 3 ranks, every run exits 3 (never a
# crash: not 134/139, no segfault inside HDF5 at MPI_Finalize) with "no space left on device: PATH"
# naming the output, leaves no temporary (.tmp, .old) behind, and leaves the previous outputs on the
# file system byte for byte as they were. A train whose --report cannot be written leaves no model,
# and an existing model unchanged. Needs mount(8) (root, as CI runs it): exits 77 (skipped) when
# tmpfs cannot be mounted.
source "$(dirname "$0")/common.sh"
FS="$T/fs"
mkdir -p "$FS"
if ! mount -t tmpfs -o size=64k tmpfs "$FS" 2> /dev/null; then
  echo "SKIP: cannot mount a tmpfs here (needs root): the disk-full cases were not run"
  exit 77
fi
umount "$FS"
trap 'umount "$FS" 2> /dev/null || true; rm -rf "$T"' EXIT

# pages of 4 KiB the files under the paths take on a tmpfs
pages() { find "$@" -type f -printf '%s\n' | awk '{p += int(($1 + 4095) / 4096)} END {print p + 0}'; }
# a fresh tmpfs of $1 pages at $FS holding copies of the previous outputs "$@"
fresh() {
  local np=$1; shift
  umount "$FS" 2> /dev/null || true
  mount -t tmpfs -o size=$((np * 4096)) tmpfs "$FS" || fail "mount tmpfs"
  for p in "$@"; do cp -r "$p" "$FS/" || fail "copy $p onto the tmpfs (size it larger)"; done
}
state() { (cd "$FS" && find . -printf '%y %p\n' | sort && find . -type f -exec md5sum {} + | sort); }
# expect_full NAME RANKS PATH-PREFIX CMD...: exit 3, the message, nothing else changed on $FS
expect_full() {
  local name=$1 n=$2 want=$3; shift 3
  local before rc=0
  before=$(state)
  run "$n" "$@" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  [ "$rc" = 3 ] || { cat "$T/err.txt"; fail "$name ($n ranks): exit $rc, expected 3 (134/139: a crash)"; }
  grep -q "churnscore: error: no space left on device: $want" "$T/err.txt" \
    || { cat "$T/err.txt"; fail "$name ($n ranks): no 'no space left on device: $want'"; }
  grep -q "Segmentation\|signal" "$T/err.txt" && { cat "$T/err.txt"; fail "$name ($n ranks): crashed"; }
  [ "$(state)" = "$before" ] || { diff <(echo "$before") <(state); fail "$name ($n ranks): the file system changed"; }
  echo "ok: $name, $n ranks: $(grep -o 'no space left on device: [^ ]*' "$T/err.txt" | head -1)"
}

# the real outputs, written on the ordinary disk: their sizes size the tmpfs
run 2 "$CS" generate --out "$T/s.h5" --subscribers 20000 --seed 5 --quiet || fail "generate"
run 2 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --report "$T/r.md" --model-kind logit --quiet \
  > /dev/null || fail "train"
run 2 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/o.h5" --lists "$T/L" --quiet > /dev/null \
  || fail "score"
# previous outputs that differ from what the failing runs would write
mkdir -p "$T/prev"
run 1 "$CS" train --in "$T/s.h5" --model "$T/prev/m.h5" --report "$T/prev/r.md" --model-kind logit \
  --l2 3 --quiet > /dev/null || fail "train (previous)"
run 1 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/prev/o.h5" --lists "$T/prev/L" --top 3 \
  --quiet > /dev/null || fail "score (previous)"
run 1 "$CS" evaluate --lists "$T/L" --outcomes "$T/s.h5" --any-month --out "$T/e" --quiet > /dev/null \
  || fail "evaluate"
PM=$(pages "$T/prev/m.h5" "$T/prev/r.md" "$T/prev/r.html") PS=$(pages "$T/prev/o.h5" "$T/prev/L")
M=$(pages "$T/m.h5") R=$(pages "$T/r.md" "$T/r.html") S=$(pages "$T/o.h5") L=$(pages "$T/L") SN=$(pages "$T/s.h5")
E=$(pages "$T/e.csv" "$T/e.json" "$T/e.md" "$T/e.html")
echo "pages: model $M, report $R, scores $S, lists $L, snapshot $SN, evaluation $E"
[ "$R" -ge 2 ] && [ "$L" -ge 4 ] && [ "$E" -ge 2 ] || fail "outputs too small to fill the tmpfs between them"

for n in 1 3; do
  TRAIN=("$CS" train --in "$T/s.h5" --model "$FS/m.h5" --report "$FS/r.md" --model-kind logit --quiet)
  # the model does not fit: nothing of it, and the previous model and report unchanged
  fresh $((PM + M / 2)) "$T/prev/m.h5" "$T/prev/r.md" "$T/prev/r.html"
  expect_full "train, model" $n "$FS/m.h5" "${TRAIN[@]}"
  # the model fits, the reports do not (the Markdown or the HTML beside it): no new model either
  fresh $((PM + M + R / 2)) "$T/prev/m.h5" "$T/prev/r.md" "$T/prev/r.html"
  expect_full "train, report" $n "$FS/r." "${TRAIN[@]}"

  SCORE=("$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$FS/o.h5" --lists "$FS/L" --quiet)
  fresh $((PS + S / 2)) "$T/prev/o.h5" "$T/prev/L"
  expect_full "score, SCORES.h5" $n "$FS/o.h5" "${SCORE[@]}"
  fresh $((PS + S + L / 2)) "$T/prev/o.h5" "$T/prev/L"
  expect_full "score, lists" $n "$FS/L" "${SCORE[@]}"
  # two pages short: the last summary file or the scores file's final values
  fresh $((PS + S + L - 2)) "$T/prev/o.h5" "$T/prev/L"
  expect_full "score, last pages" $n "$FS/" "${SCORE[@]}"

  fresh $((SN / 2))
  expect_full "generate" $n "$FS/g.h5" "$CS" generate --out "$FS/g.h5" --subscribers 20000 --seed 5 --quiet

  fresh $((E - 1))
  expect_full "evaluate" $n "$FS/e" "$CS" evaluate --lists "$T/L" --outcomes "$T/s.h5" --any-month \
    --out "$FS/e" --quiet
done

# with room, the same commands replace the previous outputs (the sizes above were not too small)
fresh $((PM + M + R + 8)) "$T/prev/m.h5" "$T/prev/r.md" "$T/prev/r.html"
run 3 "${TRAIN[@]}" > /dev/null || fail "train with room"
cmp -s "$FS/m.h5" "$T/prev/m.h5" && fail "train with room: the model was not replaced"
[ -z "$(find "$FS" -name '*.tmp*' -o -name '*.old')" ] || fail "train with room: temporaries left"
fresh $((PS + S + L + 8)) "$T/prev/o.h5" "$T/prev/L"
run 3 "${SCORE[@]}" > /dev/null || fail "score with room"
cmp -s "$FS/L/summary.json" "$T/L/summary.json" || fail "score with room: the lists were not replaced"
[ -z "$(find "$FS" -name '*.tmp*' -o -name '*.old')" ] || fail "score with room: temporaries left"
umount "$FS"

# a report that cannot be written (its directory is missing): exit 3 and no model, new or replaced
for n in 1 3; do
  rm -f "$T/x.h5"
  rc=0
  run $n "$CS" train --in "$T/s.h5" --model "$T/x.h5" --report "$T/nodir/r.md" --model-kind logit \
    --quiet > /dev/null 2> "$T/err.txt" || rc=$?
  [ "$rc" = 3 ] || { cat "$T/err.txt"; fail "unwritable report ($n ranks): exit $rc"; }
  grep -q "$T/nodir/r.md" "$T/err.txt" || { cat "$T/err.txt"; fail "unwritable report: path not named"; }
  [ -e "$T/x.h5" ] || [ -e "$T/x.h5.tmp" ] && fail "unwritable report ($n ranks): a model was written"
  cp "$T/prev/m.h5" "$T/x.h5"
  rc=0
  run $n "$CS" train --in "$T/s.h5" --model "$T/x.h5" --report "$T/nodir/r.md" --model-kind logit \
    --quiet > /dev/null 2>&1 || rc=$?
  [ "$rc" = 3 ] || fail "unwritable report over a model ($n ranks): exit $rc"
  cmp -s "$T/x.h5" "$T/prev/m.h5" || fail "unwritable report ($n ranks): the previous model changed"
  echo "ok: unwritable --report, $n ranks: no model"
done
echo "PASS"

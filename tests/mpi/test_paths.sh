#!/bin/bash
# Outputs never touch inputs (io/outguard.h, io/lists.h). With 1 and 3 ranks, every command refuses,
# with exit 1 and one message naming both paths, an output that is an input (by name, through a
# symbolic link, as a hard link, as its temporary file), lies inside or contains an input or another
# output; after each refusal every file of the work directory has the same bytes and nothing new is
# there. A --lists that is a symbolic link is refused and the month it points to keeps its files;
# a user's file in DIR.old survives a replacement; a lists directory holding a file not in its
# manifest is refused; one written by an older version (no manifest) is replaced. A second run on an
# output another run is writing fails at once with exit 3, and the first completes with a readable
# file; a user's NAME.lock that is not a lock is never touched.
source "$(dirname "$0")/common.sh"
W=$T/w
mkdir -p "$W/2026-10"
# names and bytes of everything under W (links as their targets), to show nothing changed
tree_sum() {
  (cd "$W" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do
     if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"
     elif [ -d "$f" ]; then echo "$f/"
     else echo "$f $(md5sum < "$f" | cut -d' ' -f1)"; fi
   done)
}
run 2 "$CS" generate --out "$W/s.h5" --subscribers 3000 --regions 3 --seed 11 --quiet || fail "generate"
run 2 "$CS" train --in "$W/s.h5" --model "$W/m.h5" --model-kind logit --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$W/s.h5" --model "$W/m.h5" --out "$W/2026-10/scores.h5" --lists "$W/2026-10/lists" \
  --quiet > /dev/null || fail "score"
[ -f "$W/2026-10/lists/.churnscore-manifest" ] || fail "no manifest in the lists directory"
head -1 "$W/2026-10/lists/.churnscore-manifest" | has -x "churnscore lists manifest 1" || fail "manifest head"
# the manifest names every other file of the directory, in byte order
diff <(tail -n +2 "$W/2026-10/lists/.churnscore-manifest") \
     <(cd "$W/2026-10/lists" && ls -A | grep -vx .churnscore-manifest | LC_ALL=C sort) || fail "manifest != files"
ln -s 2026-10/lists "$W/current"
ln -s s.h5 "$W/link.h5"
ln "$W/s.h5" "$W/hard.h5"
cp "$W/s.h5" "$W/t.h5.tmp"
"$BUILD/snap2csv" "$W/s.h5" "$W/x.csv" || fail "snap2csv"
run 1 "$CS" import --csv "$W/x.csv" --out "$W/i.h5" --id id --region region --brand brand --label churned \
  --positive 1 --quiet > /dev/null || fail "import"
run 1 "$CS" evaluate --lists "$W/2026-10/lists" --outcomes "$W/s.h5" --out "$W/ev" > /dev/null || fail "evaluate"
cp "$W/s.h5" "$W/so.json"
[ -z "$(find "$W" -name '*.lock' -o -name '*.tmp.tmp' -o -name 'lists.tmp')" ] || fail "lock or temporary files left"

refuse() { # refuse RANKS PATTERN ARGS...: exit 1, one message matching PATTERN, W unchanged
  local n=$1 pat=$2 rc=0; shift 2
  local before; before=$(tree_sum)
  run "$n" "$CS" "$@" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
  [ "$rc" = 1 ] || { cat "$T/err.txt"; fail "exit $rc, not 1: $*"; }
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "message lacks '$pat': $*"; }
  [ "$(grep -c 'churnscore: error' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "not one error line: $*"; }
  [ "$before" = "$(tree_sum)" ] || { diff <(echo "$before") <(tree_sum); fail "files changed or left: $*"; }
}
S=(--in "$W/s.h5" --model "$W/m.h5")
for n in 1 3; do
  # score
  refuse $n "s.h5: --out is the same file as --in $W/s.h5: an output must never overwrite an input" \
    score "${S[@]}" --out "$W/s.h5" --lists "$W/L"
  refuse $n "m.h5: --out is the same file as --model $W/m.h5" score "${S[@]}" --out "$W/m.h5" --lists "$W/L"
  refuse $n "link.h5: --out is the same file as --in $W/s.h5 (both $W/s.h5)" \
    score "${S[@]}" --out "$W/link.h5" --lists "$W/L"
  refuse $n "hard.h5: --out is the same file (a hard link) as --in $W/s.h5" score "${S[@]}" --out "$W/hard.h5" --lists "$W/L"
  refuse $n "t.h5.tmp: the temporary file of --out $W/t.h5 is the same file as --in $W/t.h5.tmp" \
    score --in "$W/t.h5.tmp" --model "$W/m.h5" --out "$W/t.h5" --lists "$W/L"
  refuse $n "o.h5: --out is the same file as --lists $W/o.h5: two outputs must not be one file" \
    score "${S[@]}" --out "$W/o.h5" --lists "$W/o.h5"
  refuse $n "2026-10/lists/o.h5: --out lies inside --lists $W/2026-10/lists" \
    score "${S[@]}" --out "$W/2026-10/lists/o.h5" --lists "$W/2026-10/lists"
  refuse $n "$W: --lists contains --in $W/s.h5: an output must never contain an input" \
    score "${S[@]}" --out "$T/o.h5" --lists "$W"
  refuse $n "s.h5: --lists is the same file as --in" score "${S[@]}" --out "$T/o.h5" --lists "$W/s.h5"
  refuse $n "current: --lists is a symbolic link (to $W/2026-10/lists)" \
    score "${S[@]}" --out "$W/o.h5" --lists "$W/current"
  refuse $n "current: --lists is a symbolic link" score "${S[@]}" --out "$W/o.h5" --lists "$W/current/"
  refuse $n "s.h5/L: --lists lies inside --in $W/s.h5: an output must never be written inside an input" \
    score "${S[@]}" --out "$W/o.h5" --lists "$W/s.h5/L"
  # train
  refuse $n "s.h5: --model is the same file as --in $W/s.h5" train --in "$W/s.h5" --model "$W/s.h5"
  refuse $n "s.h5: --report is the same file as --in $W/s.h5" train --in "$W/s.h5" --model "$W/m9.h5" --report "$W/s.h5"
  refuse $n "m9.h5: --model is the same file as --report $W/m9.h5: two outputs must not be one file" train --in "$W/s.h5" --model "$W/m9.h5" --report "$W/m9.h5"
  refuse $n "link.h5: --model is the same file as --in $W/s.h5 (both $W/s.h5)" train --in "$W/s.h5" --model "$W/link.h5"
  # import
  refuse $n "x.csv: --out is the same file as --csv $W/x.csv" import --csv "$W/x.csv" --out "$W/x.csv" --label churned --positive 1
  refuse $n "i.h5: --out is the same file as --like $W/i.h5" import --csv "$W/x.csv" --out "$W/i.h5" --like "$W/i.h5"
  refuse $n "x.csv.tmp.tmp: the temporary file of --out $W/x.csv.tmp" import --csv "$W/x.csv.tmp.tmp" --out "$W/x.csv.tmp" --label churned --positive 1
  # generate
  refuse $n "s.h5: --out is the same file as --follows $W/s.h5" generate --follows "$W/s.h5" --out "$W/s.h5"
  refuse $n "hard.h5: --out is the same file (a hard link) as --follows $W/s.h5" generate --follows "$W/s.h5" --out "$W/hard.h5"
  # evaluate: the report files against the inputs
  refuse $n "so.json: --out is the same file as --outcomes $W/so.json" \
    evaluate --lists "$W/2026-10/lists" --outcomes "$W/so.json" --out "$W/so"
  refuse $n "2026-10/lists/ev.csv: --out lies inside --lists $W/2026-10/lists" \
    evaluate --lists "$W/2026-10/lists" --outcomes "$W/s.h5" --out "$W/2026-10/lists/ev"
done

# the lists directory: a user's file inside DIR.old survives; a file not in the manifest is refused
mkdir -p "$W/2026-10/lists.old" && echo "precious" > "$W/2026-10/lists.old/notes.txt"
# (with 3 ranks as on a file system that cannot swap two names: the old lists go to a unique sibling)
for n in 1 3; do
  nox=0; [ $n = 3 ] && nox=1
  CS_TEST_NO_RENAME_EXCHANGE=$nox run $n "$CS" score "${S[@]}" --out "$W/2026-10/scores.h5" \
    --lists "$W/2026-10/lists" --quiet > /dev/null || fail "replacing the lists with $n ranks"
  cmp "$W/2026-10/lists/summary.json" "$T/summary.json.1" 2>/dev/null || [ $n = 1 ] || fail "replaced lists differ"
  cp "$W/2026-10/lists/summary.json" "$T/summary.json.1"
  [ "$(cat "$W/2026-10/lists.old/notes.txt")" = precious ] || fail "a user's file in lists.old was touched"
  [ -z "$(ls -d "$W"/2026-10/lists.old-* "$W/2026-10/lists.tmp" 2>/dev/null)" ] || fail "an old copy was left behind"
  [ -z "$(find "$W" -name '*.lock')" ] || fail "lock file left"
done
echo "mine" > "$W/2026-10/lists/notes.txt"
before=$(tree_sum); rc=0
run 3 "$CS" score "${S[@]}" --out "$W/2026-10/scores.h5" --lists "$W/2026-10/lists" > /dev/null 2> "$T/err.txt" || rc=$?
[ "$rc" = 3 ] || fail "a lists directory with a foreign file: exit $rc"
grep -q "lists: exists and is not a lists directory churnscore may replace: it holds notes.txt" "$T/err.txt" \
  || { cat "$T/err.txt"; fail "foreign file message"; }
[ "$before" = "$(tree_sum)" ] || fail "a refused lists directory changed"
rm "$W/2026-10/lists/notes.txt"
# a user's directory named DIR.tmp is not a stale one of ours: refused, kept
mkdir -p "$W/L2.tmp" && echo "mine" > "$W/L2.tmp/plan.txt"
before=$(tree_sum); rc=0
run 1 "$CS" score "${S[@]}" --out "$W/o2.h5" --lists "$W/L2" > /dev/null 2> "$T/err.txt" || rc=$?
[ "$rc" = 3 ] && grep -q "L2.tmp: exists and holds plan.txt, which churnscore did not write" "$T/err.txt" \
  || { cat "$T/err.txt"; fail "a user's DIR.tmp: exit $rc"; }
[ "$before" = "$(tree_sum)" ] || fail "a user's DIR.tmp changed"
rm -r "$W/L2.tmp"
# lists of an older version (no manifest, summary.json): replaced, and then hold a manifest
cp -r "$W/2026-10/lists" "$W/Lold" && rm "$W/Lold/.churnscore-manifest"
run 3 "$CS" score "${S[@]}" --out "$W/o3.h5" --lists "$W/Lold" --quiet > /dev/null || fail "replacing old lists"
[ -f "$W/Lold/.churnscore-manifest" ] || fail "no manifest after replacing old lists"
diff -r "$W/Lold" "$W/2026-10/lists" > /dev/null || fail "replaced old lists differ"
rm -rf "$W/Lold" "$W/o3.h5"

# locks: a run holding the output's lock (here flock(1), as a script may) makes churnscore fail at once
for n in 1 3; do
  flock -n "$W/m.h5.lock" sleep 60 & fl=$!
  for _ in $(seq 600); do [ -e "$W/m.h5.lock" ] && break; sleep 0.05; done
  before=$(tree_sum); rc=0; t0=$(date +%s)
  run $n "$CS" train --in "$W/s.h5" --model "$W/m.h5" > /dev/null 2> "$T/err.txt" || rc=$?
  kill $fl; wait $fl 2>/dev/null || true
  [ "$rc" = 3 ] || { cat "$T/err.txt"; fail "locked --model: exit $rc, not 3"; }
  grep -q "$W/m.h5 is being written by another churnscore run (lock $W/m.h5.lock)" "$T/err.txt" \
    || { cat "$T/err.txt"; fail "lock message"; }
  [ $(( $(date +%s) - t0 )) -lt 60 ] || fail "a locked output did not fail at once"
  [ "$before" = "$(tree_sum)" ] || fail "files changed under another run's lock"
  rm -f "$W/m.h5.lock"
done
# a user's file named NAME.lock that is not a lock: refused, never written or removed
echo "my notes" > "$W/o4.h5.lock"
rc=0; run 3 "$CS" score "${S[@]}" --out "$W/o4.h5" --lists "$W/L4" > /dev/null 2> "$T/err.txt" || rc=$?
[ "$rc" = 3 ] && grep -q "o4.h5.lock exists and is not a churnscore lock file" "$T/err.txt" || { cat "$T/err.txt"; fail "foreign lock: $rc"; }
[ "$(cat "$W/o4.h5.lock")" = "my notes" ] || fail "a user's .lock file was changed"
[ -e "$W/o4.h5" ] || [ -e "$W/L4" ] || [ -e "$W/L4.lock" ] && fail "output left after a foreign lock file"
rm "$W/o4.h5.lock"

# two real runs on one output: the first is stopped while it holds the lock (SIGSTOP), the second
# fails at once, the first then completes and its file is readable
"$CS" generate --out "$W/g.h5" --subscribers 400000 --seed 5 --quiet & g1=$!
for _ in $(seq 6000); do [ -e "$W/g.h5.lock" ] && break; sleep 0.01; done
kill -STOP $g1 2>/dev/null || fail "the first run finished before it could be stopped"
[ -e "$W/g.h5.lock" ] || { kill -CONT $g1; fail "the first run holds no lock"; }
for n in 1 3; do
  rc=0; run $n "$CS" generate --out "$W/g.h5" --subscribers 1000 --quiet > /dev/null 2> "$T/err.txt" || rc=$?
  [ "$rc" = 3 ] && grep -q "g.h5 is being written by another churnscore run (lock $W/g.h5.lock)" "$T/err.txt" \
    || { kill -CONT $g1; cat "$T/err.txt"; fail "second run on one --out: exit $rc"; }
done
kill -CONT $g1
wait $g1 || fail "the first run failed"
run 1 "$CS" inspect "$W/g.h5" > "$T/g.txt" || fail "the first run's file is not readable"
grep -q "400000" "$T/g.txt" || fail "the first run's file does not hold its rows"
[ -e "$W/g.h5.lock" ] && fail "lock file left after the run"
# and the same for import, whose first run waits on a named pipe (read twice) while holding the lock
mkfifo "$T/x.fifo"
run 1 "$CS" import --csv "$T/x.fifo" --out "$W/j.h5" --id id --region region --brand brand --label churned \
  --positive 1 --quiet > /dev/null 2> "$T/j1.err" & j1=$!
for _ in $(seq 6000); do [ -e "$W/j.h5.lock" ] && break; sleep 0.01; done
[ -e "$W/j.h5.lock" ] || fail "the import holds no lock"
rc=0; run 3 "$CS" import --csv "$W/x.csv" --out "$W/j.h5" --id id --region region --brand brand \
  --label churned --positive 1 --quiet > /dev/null 2> "$T/err.txt" || rc=$?
[ "$rc" = 3 ] && grep -q "j.h5 is being written by another churnscore run" "$T/err.txt" \
  || { cat "$T/err.txt"; fail "second import on one --out: exit $rc"; }
# feed the pipe as often as the first import opens it (a reader that stops early ends one cat)
# Each cat waits until nobody holds the pipe open: a cat that opened it while the reader had not yet
# seen the last one's end would give that reading two copies of the file (CI saw line 3002 'id').
fifo_open() { local f; for f in /proc/[0-9]*/fd/*; do [ "$(readlink "$f" 2>/dev/null)" = "$T/x.fifo" ] && return 0; done; return 1; }
( while kill -0 $j1 2>/dev/null; do
    timeout 20 sh -c 'cat "$0" > "$1"' "$W/x.csv" "$T/x.fifo" 2>/dev/null || true
    for _ in $(seq 500); do fifo_open || break; sleep 0.01; done
  done ) & feeder=$!
rc=0; wait $j1 || rc=$?
timeout 5 cat "$T/x.fifo" > /dev/null 2>&1 || true # releases the feeder's last cat
wait $feeder 2>/dev/null || true
[ "$rc" = 0 ] || { cat "$T/j1.err"; fail "the first import failed: exit $rc"; }
cmp <(run 1 "$CS" inspect "$W/j.h5" --json | grep -v '"path"\|generator\|"file"') \
    <(run 1 "$CS" inspect "$W/i.h5" --json | grep -v '"path"\|generator\|"file"') > /dev/null \
  || fail "the first import's file differs from the same import's"
[ -z "$(find "$W" -name '*.lock')" ] || fail "lock file left"
echo "paths: every overlap refused with 1 and 3 ranks, inputs unchanged; symlinked lists refused; DIR.old kept; concurrent runs refused"

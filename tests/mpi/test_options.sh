#!/bin/bash
# test_options.sh — the one option table (mpi/options.c): every option shared by several commands
# behaves the same in each of them, and every --help is complete.
# - The shared options are found from the --help of every command (a name in two or more), not
#   listed here; their --help lines (placeholder, help text, range, default) are identical in every
#   command. Five names are two options on purpose (mpi/options.c says why) and are left out:
#   --out, --month, --previous, --scores, --contract-ending-months (whose two defaults, 1 in train and 3 in score, are
#   checked as they are: unifying them would change a default run's model or lists).
# - Each value of a shared option is refused (exit 1, nothing written) by every command that takes
#   it with the same one message, or accepted by every one of them in a whole valid run (exit 0):
#   --memory 0, 0.1, -1G refused, 512M and 3000000000 accepted; --block-rows 0 and 16777217
#   refused, 1000 and 100000 accepted; --validate-max 0 refused; --warn-cutoff 1.5 and -0.5 refused,
#   -1 and 0.3 accepted; --onboarding-months -1 refused.
# - Every option in every --help shows a default (but required options and flags), every number a
#   range, every option with a value a placeholder.
# - The built-in defaults stated in --help are those the commands run with: a model's story (its
#   options attribute) holds memory=2G block-rows=65536 contract-ending-months=1 and score's
#   contract-ending-months=3.
source "$(dirname "$0")/common.sh"
CMDS="generate inspect train score import evaluate report analyze select"
# no Slurm default here: the built-in --memory default is what is checked
unset SLURM_JOB_ID
for c in $CMDS; do
  "$CS" "$c" --help > "$T/help.$c" || fail "$c --help exits $?"
  # "  --name META  text" lines, joined with their continuation line
  awk '/^  --/ {if (l) print l; l=$0; next} /^     / && l {sub(/^ +/, " "); l=l $0; next} {if (l) print l; l=""} END {if (l) print l}' \
    "$T/help.$c" | grep -v -- '^  --help' > "$T/lines.$c"
  # every option shows its default, range and placeholder
  while IFS= read -r line; do
    name=$(sed -E 's/^  --([a-z0-9-]+).*/\1/' <<< "$line")
    meta=$(sed -E 's/^  --[a-z0-9-]+ ?([^ ]*).*/\1/' <<< "$line")
    case "$line" in *"(required)"*) req=1 ;; *) req=0 ;; esac
    if [ -n "$meta" ]; then
      [ $req = 1 ] || has '\[default: [^]]*\]$' <<< "$line" || fail "$c --$name: no default in --help: $line"
      case "$meta" in
        N|X|K|P|SHARE|MONTHS|DAYS|BYTES)
          grep -Eq '\[(>=? |[0-9-][^]]* to |[0-9-])[^]]*\] \[default' <<< "$line" || fail "$c --$name: no range in --help: $line" ;;
      esac
    fi
    echo "$name" >> "$T/names.$c"
  done < "$T/lines.$c"
done
# the shared options: names in the --help of two commands or more
cat $(for c in $CMDS; do echo "$T/names.$c"; done) | sort | uniq -d | grep -vx -e out -e month -e contract-ending-months -e previous -e scores -e top > "$T/shared"
[ "$(wc -l < "$T/shared")" -ge 8 ] || fail "only $(wc -l < "$T/shared") shared options found: $(tr '\n' ' ' < "$T/shared")"
for o in memory block-rows in model lists json validate-max warn-cutoff onboarding-months; do
  grep -qx "$o" "$T/shared" || fail "--$o is not shared by two commands"
done
takes() { grep -qx "$2" "$T/names.$1"; }
while read -r o; do
  ref=""
  for c in $CMDS; do
    takes "$c" "$o" || continue
    l=$(grep -E -- "^  --$o( |$)" "$T/lines.$c")
    # required-ness may differ (score --model is required but with --read-only)
    l=${l% (required)}
    l=$(sed -E 's/ \(required\)( \[|$)/\1/; s/ \[default: none\]$//' <<< "$l")
    if [ -z "$ref" ]; then ref=$l; refc=$c
    else [ "$l" = "$ref" ] || fail "--$o: $c's --help says '$l', $refc's '$ref'"; fi
  done
done < "$T/shared"
# defaults shown for the two --contract-ending-months (different options, on purpose)
grep -q -- '--contract-ending-months.*\[default: 1\]$' "$T/lines.train" || fail "train --contract-ending-months default"
grep -q -- '--contract-ending-months.*\[default: 3\]$' "$T/lines.score" || fail "score --contract-ending-months default"

# values: the same answer from every command that takes the option. Each command runs a whole,
# valid job (small files made here), so an accepted value is one the pipeline honours to the end
# and a refused one is refused with the same message before anything is written.
DATA=$(cd "$(dirname "$0")/../data" && pwd)
run 1 "$CS" generate --out "$T/s.h5" --subscribers 3000 --seed 3 --quiet || fail generate
run 1 "$CS" train --in "$T/s.h5" --model "$T/m0.h5" --model-kind logit --quiet || fail train
run 1 "$CS" score --in "$T/s.h5" --model "$T/m0.h5" --out "$T/sc0.h5" --lists "$T/l0" --quiet > /dev/null || fail score
job() { # COMMAND: the argv of a valid run of it, writing under $T/o
  case $1 in
    generate) echo generate --out "$T/o/s.h5" --subscribers 2000 ;;
    inspect) echo inspect "$T/s.h5" ;;
    train) echo train --in "$T/s.h5" --model "$T/o/m.h5" --model-kind logit ;;
    score) echo score --in "$T/s.h5" --model "$T/m0.h5" --out "$T/o/sc.h5" --lists "$T/o/l" ;;
    import) echo import --csv "$DATA/import_operator.csv" --out "$T/o/i.h5" --id msisdn --label churned --positive yes ;;
    evaluate) echo evaluate --lists "$T/l0" --outcomes "$T/s.h5" --out "$T/o/e" ;;
    analyze) echo analyze --in "$T/s.h5" --out "$T/o/a" ;;
    select) echo select --scores "$T/sc0.h5" --snapshot "$T/s.h5" --where phase=alarm --out "$T/o/x.csv" ;;
  esac
}
check() { # OPTION VALUE refused|accepted [MESSAGE]
  local o=$1 v=$2 want=$3 msg=${4:-} c rc err
  for c in $CMDS; do
    takes "$c" "$o" || continue
    rm -rf "$T/o"; mkdir "$T/o"
    set +e; segv_once timeout 300 "$CS" $(job "$c") --"$o" "$v" --quiet > /dev/null 2> "$T/err"; rc=$?; set -e
    err=$(grep '^churnscore' "$T/err" || true)
    if [ "$want" = refused ]; then
      [ $rc = 1 ] || fail "$c --$o $v: exit $rc, expected 1 ($err)"
      [ "$err" = "churnscore: error: $msg" ] || fail "$c --$o $v: '$err', expected 'churnscore: error: $msg'"
      [ "$(grep -c . "$T/err")" = 1 ] || fail "$c --$o $v: more than one line on stderr: $(cat "$T/err")"
      [ -z "$(ls -A "$T/o")" ] || fail "$c --$o $v refused but wrote $(ls -A "$T/o")"
    else
      [ $rc = 0 ] || fail "$c --$o $v: exit $rc, expected a complete run ($err)"
    fi
  done
}
check memory 0 refused "option --memory: '0' is out of range (>= 1)"
check memory 0.1 refused "option --memory: '0.1' is not a size in bytes (e.g. 2G, 512M, 1000000)"
check memory -1G refused "option --memory: '-1G' is not a size in bytes (e.g. 2G, 512M, 1000000)"
check memory 512M accepted; check memory 3000000000 accepted
check block-rows 0 refused "option --block-rows: '0' is out of range (1 to 16777216)"
check block-rows 16777217 refused "option --block-rows: '16777217' is out of range (1 to 16777216)"
check block-rows 1000 accepted; check block-rows 100000 accepted
check validate-max 0 refused "option --validate-max: '0' is out of range (1 to 100000000)"
check warn-cutoff 1.5 refused "option --warn-cutoff: '1.5' is out of range (0 to 1, or -1)"
check warn-cutoff -0.5 refused "option --warn-cutoff: '-0.5' is out of range (0 to 1, or -1)"
check warn-cutoff -1 accepted; check warn-cutoff 0.3 accepted
check onboarding-months -1 refused "option --onboarding-months: '-1' is out of range (0 to 1200)"
check onboarding-months 6 accepted; check validate-max 500 accepted
# choices and month checked by the table, not by hand
set +e; "$CS" train --in x --model y --inputs bogus > /dev/null 2> "$T/err"; rc=$?; set -e
[ $rc = 1 ] && grep -qx "churnscore: error: option --inputs: 'bogus' is not auto, factors, raw, both or best" "$T/err" || fail "train --inputs bogus: $rc $(cat "$T/err")"
for c in generate import; do
  set +e; "$CS" $c --month 2026-13 > /dev/null 2> "$T/err"; rc=$?; set -e
  [ $rc = 1 ] && grep -qx "churnscore: error: option --month: '2026-13' is not YYYY-MM" "$T/err" || fail "$c --month 2026-13: $rc $(cat "$T/err")"
done

# the defaults --help states are the ones a run records
story=$(h5dump -A "$T/m0.h5" | grep -A12 "ATTRIBUTE \"options\"" || true)
for kv in memory=2G block-rows=65536 contract-ending-months=1 validate-max=1000000 warn-cutoff=-1; do
  grep -q -- "$kv" <<< "$story" || fail "train's recorded settings lack $kv: $story"
done
sstory=$(h5dump -A "$T/sc0.h5" | grep -A12 "ATTRIBUTE \"options\"" || true)
for kv in memory=2G contract-ending-months=3 rank-by=probability; do
  grep -q -- "$kv" <<< "$sstory" || fail "score's recorded settings lack $kv: $sstory"
done
echo "test_options: ok ($(wc -l < "$T/shared") shared options over $(echo $CMDS | wc -w) commands)"

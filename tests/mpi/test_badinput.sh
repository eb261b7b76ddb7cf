#!/bin/bash
# Bad input: one clear message naming the file and what is wrong, a non-zero exit, no output left,
# and no hang when only one rank sees the problem.
source "$(dirname "$0")/common.sh"
expect_fail() { # expect_fail PATTERN RANKS ARGS...
  local pat=$1 n=$2; shift 2
  if run "$n" "$CS" "$@" > "$T/out.txt" 2> "$T/err.txt"; then fail "succeeded: $*"; fi
  grep -q -- "$pat" "$T/err.txt" || { cat "$T/err.txt"; fail "message lacks '$pat': $*"; }
  # one message, not one per rank
  [ "$(grep -c 'churnscore: error' "$T/err.txt")" = 1 ] || { cat "$T/err.txt"; fail "not exactly one error line: $*"; }
}
run 2 "$CS" generate --out "$T/ok.h5" --subscribers 30000 --quiet
expect_fail "missing.h5: cannot open" 2 inspect "$T/missing.h5"
echo "not hdf5" > "$T/text.h5"
expect_fail "text.h5: not an HDF5 file" 3 inspect "$T/text.h5"
expect_fail "unknown option '--bogus'" 2 generate --out "$T/x.h5" --bogus
expect_fail "option --out is required" 2 generate
expect_fail "cannot create" 2 generate --out "$T/no/such/dir/x.h5" --subscribers 10
[ -e "$T/no/such/dir/x.h5" ] && fail "output appeared"
# broken copies of a good snapshot, each wrong in one way (inspect reads every row, so a bad value
# seen by one rank only must still stop all ranks with one message)
"$BUILD/badfiles" "$T/ok.h5" "$T" > "$T/badfiles.txt" || fail "badfiles"
expect_fail "version.h5: snapshot format version 99 is not supported" 2 inspect "$T/version.h5"
expect_fail "nobrand.h5: dataset /subscribers/brand is missing" 2 inspect "$T/nobrand.h5"
expect_fail "wrongtype.h5: /subscribers/region has the wrong type" 3 inspect "$T/wrongtype.h5"
expect_fail "region.h5: /subscribers/region row 29997: index 999 out of range" 4 inspect "$T/region.h5"
expect_fail "region.h5: /subscribers/region row 29997" 1 inspect "$T/region.h5"
expect_fail "shape.h5: /subscribers/churned has 29999 rows, expected 30000" 2 inspect "$T/shape.h5"
expect_fail "dupid.h5: /subscribers/id: id [0-9]* appears twice (rows 5 and 29998)" 3 inspect "$T/dupid.h5"
expect_fail "dupid.h5: /subscribers/id: id [0-9]* appears twice (rows 5 and 29998)" 1 inspect "$T/dupid.h5"
run 1 "$CS" train --in "$T/ok.h5" --model "$T/okm.h5" --model-kind logit --quiet > /dev/null || fail "train ok.h5"
expect_fail "dupid.h5: /subscribers/id: id [0-9]* appears twice" 2 score --in "$T/dupid.h5" --model "$T/okm.h5" --out "$T/dupscores.h5" --lists "$T/duplists"
[ -e "$T/dupscores.h5" ] || [ -e "$T/duplists" ] && fail "score left output behind for a duplicate id"
expect_fail "kind.h5: unknown kind of file 'something-else'" 2 inspect "$T/kind.h5"
# churn types (snapshot v2): disagreeing with churned, out of range, without churned. Each refused
# with its documented code (5 for the values, 4 for the structure) in every command that reads the
# labels, by the last rank alone (the bad row is near the end), and no model or scores written.
expect_code() { # expect_code CODE PATTERN RANKS ARGS...
  local code=$1 rc=0; shift
  expect_fail "$@" || return 1
  run "$2" "$CS" "${@:3}" > /dev/null 2>&1 || rc=$?
  [ "$rc" = "$code" ] || fail "exit $rc, expected $code: ${*:3}"
}
row=$(sed -n 's/^ctype_disagree row //p' "$T/badfiles.txt")
[ -n "$row" ] || fail "badfiles made no ctype_disagree.h5 (generate wrote no churn_type?)"
msg="ctype_disagree.h5: /subscribers/churn_type row $row: 2 (involuntary), but /subscribers/churned is 0"
expect_code 5 "$msg" 3 inspect "$T/ctype_disagree.h5"
expect_code 5 "$msg" 3 train --in "$T/ctype_disagree.h5" --model "$T/ctm.h5" --model-kind logit
[ -e "$T/ctm.h5" ] || [ -e "$T/ctm.h5.tmp" ] && fail "train left a model behind for a bad churn type"
expect_code 5 "$msg" 2 score --in "$T/ctype_disagree.h5" --model "$T/okm.h5" --out "$T/cts.h5" --lists "$T/ctl"
[ -e "$T/cts.h5" ] || [ -e "$T/ctl" ] && fail "score left output behind for a bad churn type"
expect_code 5 "ctype_range.h5: /subscribers/churn_type row 29999: value 7 (must be 0 stayed, 1 voluntary or 2 involuntary)" \
  2 train --in "$T/ctype_range.h5" --model "$T/ctm.h5" --model-kind logit
[ -e "$T/ctm.h5" ] && fail "train left a model behind for a churn type out of range"
expect_code 4 "ctype_alone.h5: /subscribers/churn_type without /subscribers/churned" 2 inspect "$T/ctype_alone.h5"
echo "bad input: clear messages, no hang"

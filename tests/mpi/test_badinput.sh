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
"$BUILD/badfiles" "$T/ok.h5" "$T" || fail "badfiles"
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
echo "bad input: clear messages, no hang"

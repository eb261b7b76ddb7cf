# common.sh — sourced by the MPI shell tests: mpirun wrapper, temp dir, failure helpers.
set -euo pipefail
CS=${1:?usage: test.sh path/to/churnscore}
BUILD=${CS_BUILD:-$(dirname "$CS")}
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/mpi-env.sh"
# Tests use more ranks than this machine has cores.
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
T=$(mktemp -d /tmp/cs_mpitest.XXXXXX)
trap 'rm -rf "$T"' EXIT
# Exit 86 is the sanitizer tree's (tests/sanitize/run.sh): a rank ended by an ASan/UBSan report. UBSan's
# reports go to the rank's stderr, which a test may only grep, so a test that expects a failure would
# take it for the expected one: stop the test here instead.
run() {
  local n=$1 rc=0; shift
  timeout 300 mpirun --oversubscribe -n "$n" "$@" || rc=$?
  if [ "$rc" = 86 ]; then echo "FAIL: a sanitizer report ended the run (exit 86): $*" >&2; exit 1; fi
  return "$rc"
}
fail() { echo "FAIL: $*" >&2; exit 1; }
# has PATTERN...: `CMD | has PAT` is `CMD | grep -q PAT` that reads to the end: grep -q leaves at the
# first match, the writer then dies of SIGPIPE, and pipefail fails the line although the pattern was
# there (CI saw it on `inspect | grep -q "subscribers: 3 "`).
has() { grep "$@" > /dev/null; }
# md5 of a dataset's raw bytes, little-endian, as h5dump writes them
dsum() { h5dump -d "$2" -b LE -o "$T/.ds.bin" "$1" >/dev/null && md5sum < "$T/.ds.bin" | cut -d' ' -f1; }
export OMPI_MCA_mpi_yield_when_idle=1
# When a rank exits non-zero, mpirun waits odls_base_sigkill_timeout (1 s) before it kills what is left,
# and a 1-rank run that fails took 2.1 s instead of 0.2 s (a failing 3-rank run 0.3 s): most runs of
# the bad-input tests fail on purpose. The ranks have exited by then; nothing is cut short.
export OMPI_MCA_odls_base_sigkill_timeout=${OMPI_MCA_odls_base_sigkill_timeout:-0}
# segv_once COMMAND...: runs it; a segmentation fault (exit 139) is reported on stderr and the command
# run once more, so that the known, not yet explained crash of `inspect` at exit under load (seen
# about once in a few hundred runs, never reproduced alone; see the closing note of 2026-12-02) does
# not hide every other result. A second crash fails as before.
segv_once() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" = 139 ]; then
    echo "WARNING: exit 139 (segmentation fault), running once more: $*" >&2
    rc=0; "$@" || rc=$?
  fi
  return "$rc"
}

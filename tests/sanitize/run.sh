#!/bin/bash
# run.sh CMD ARGS... — runs one ctest test of the -DCS_SANITIZE=ON tree (CMakeLists.txt wraps every
# test in it there) and fails it when any process reported anything, whatever the test itself
# concluded. A test that expects churnscore to fail (bad input) would otherwise take an ASan abort for
# the expected failure, and the tests send the ranks' stderr to files they only grep: so every
# ASan and LSan report goes to its own file under a fresh directory (log_path), and this script fails
# when one appears, printing it. Reports also end the process at once (halt_on_error, UBSan made
# fatal at compile time) with exit code 86, which is none of churnscore's (0-8): GCC 12's UBSan, linked
# beside ASan, ignores log_path and writes to stderr, so for it the exit code is the signal, and
# tests/mpi/common.sh's run() fails the test on 86 whatever the test expected.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
logs=$(mktemp -d /tmp/cs_sanitize.XXXXXX)
# CS_SANITIZE_KEEP=1 keeps the report directory (for debugging a flaky report)
trap '[ -n "${CS_SANITIZE_KEEP:-}" ] || rm -rf "$logs"' EXIT
common="halt_on_error=1:exitcode=86:log_path=$logs/report"
# detect_leaks=1 (LSan at exit) with full stacks, so that lsan.supp can name Open MPI's and HDF5's
# frames (see that file); abort_on_error=0 so that the exit code, not a core dump, tells the tale.
export ASAN_OPTIONS="$common:detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
# use_tls=0: GCC 12's LeakSanitizer walks the dynamic TLS blocks of every thread, and with glibc 2.36
# (Debian 12) the block list of a process that dlopen()ed Open MPI's components holds a bogus entry
# ("DTLS 11 at 0x3b81"): the tracer segfaults ("Tracer caught signal 11", LeakSanitizer fatal error)
# in about half the runs of a singleton MPI program. Not scanning TLS as a root can only report
# more leaks (a block held only from TLS), never hide one.
export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0:use_tls=0"
export UBSAN_OPTIONS="$common:print_stacktrace=1"
"$@"
rc=$?
reports=$(find "$logs" -type f | sort)
if [ -n "$reports" ]; then
  for f in $reports; do echo "=== sanitizer report $f" >&2; cat "$f" >&2; done
  echo "FAIL: sanitizer reports above (test exit $rc)" >&2
  exit 1
fi
exit $rc

#!/bin/sh
# The one command that builds churnscore and passes every test (what .ci/run runs):
#   scripts/test.sh            installs missing Debian packages, builds into build/, runs ctest;
#                              then builds build-asan/ (-DCS_SANITIZE=ON: ASan + UBSan) and runs the
#                              unit tests, test_smoke and test_badinput there (ctest label sanitize,
#                              about a minute here), where any sanitizer report fails the test
# Arguments go to the first ctest (e.g. `-L unit`, `-LE slow`). Set CS_SKIP_SETUP=1 to skip the
# package check (e.g. on a cluster with modules loaded), CS_SKIP_SANITIZE=1 to skip build-asan/.
set -eu
cd "$(dirname "$0")/.."
[ "${CS_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
# As root, Open MPI refuses to start unless told; the tests set these too.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
rc=0
(cd build && ctest --output-on-failure -j 2 "$@") || rc=$?
if [ "${CS_SKIP_SANITIZE:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DCS_SANITIZE=ON
  cmake --build build-asan -j "$(nproc)"
  (cd build-asan && ctest --output-on-failure -j 2 -L sanitize) || rc=1
fi
exit "$rc"

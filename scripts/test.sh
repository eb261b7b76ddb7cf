#!/bin/sh
# The one command that builds churnscore and passes every test (what .ci/run runs):
#   scripts/test.sh            installs missing Debian packages, builds into build/, runs ctest
# Set CS_SKIP_SETUP=1 to skip the package check (e.g. on a cluster with modules loaded).
set -eu
cd "$(dirname "$0")/.."
[ "${CS_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
cd build
# As root, Open MPI refuses to start unless told; the tests set these too.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ctest --output-on-failure -j 2 "$@"

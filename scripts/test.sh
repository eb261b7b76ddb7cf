#!/bin/sh
# The one command that builds churnscore and passes every test (what .ci/run runs):
#   scripts/test.sh            installs missing Debian packages, builds into build/, runs ctest;
#                              then builds build-asan/ (-DCS_SANITIZE=ON: ASan + UBSan) and runs the
#                              unit tests, test_smoke and test_badinput there (ctest label sanitize,
#                              about a minute here), where any sanitizer report fails the test
# Arguments go to the first ctest (e.g. `-L unit`, `-LE slow`). Set CS_SKIP_SETUP=1 to skip the
# package check (e.g. on a cluster with modules loaded), CS_SKIP_SANITIZE=1 to skip build-asan/.
# It says what it will install before it does: scripts/setup.sh lists the missing build and test
# packages, and the line below the Slurm packages that the Slurm tests (tests/mpi/test_slurm*.sh,
# as root) install for their private Slurm when missing. Nothing else on the system is changed: the
# Slurm tests keep their cluster's config, state and daemons under a temporary directory, and skip
# where the machine's own Slurm answers. `scripts/test.sh -LE slurm` leaves them out.
set -eu
cd "$(dirname "$0")/.."
[ "${CS_SKIP_SETUP:-0}" = 1 ] || scripts/setup.sh
slurm_need=""
for c in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${c%%:*}" >/dev/null 2>&1 || slurm_need="$slurm_need ${c##*:}"
done
if [ -n "$slurm_need" ]; then
  echo "test.sh: the Slurm tests will install these Debian packages (apt-get, as root):$slurm_need (pass -LE slurm to leave those tests out)"
fi
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

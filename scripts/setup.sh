#!/bin/sh
# Installs the Debian 12 packages churnscore needs to build, test and run, and does nothing when they
# are all present. Works on a minimal Debian 12 (debootstrap --variant=minbase): the compiler, cmake
# and pkg-config are installed too. Run as root, or with sudo available.
# time and bc serve the benchmark scripts (one runs in the tests). R and scikit-learn (reference checks,
# scripts/bench-peers.sh, which installs them itself) are not needed to build or test. python3-h5py
# writes the operator-style files of tests/mpi/test_inputs.sh and tests/mpi/test_faults.sh. man-db,
# lmod and debootstrap serve the packaging tests (tests/pkg/: the man pages, the module, the .deb on a
# minimal Debian 12). libreoffice-calc-nogui, poppler-utils and fonts-noto-cjk serve the spreadsheet
# test (tests/pkg/test_office.sh: a Chinese list opened by LibreOffice, its page rendered and read);
# chromium and tidy, with poppler-utils (pdftotext) and the fonts, the HTML reports' test
# (tests/mpi/test_html.sh: the pages in headless Chromium, printed, with Chinese text). The reports
# themselves need none of them.
set -eu
PKGS="build-essential cmake pkg-config git ca-certificates python3 time bc man-db
libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools libgsl-dev libopenblas-dev libcmocka-dev python3-h5py
lmod debootstrap libreoffice-calc-nogui poppler-utils fonts-noto-cjk chromium tidy"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "setup: missing packages:$missing; run this script as root" >&2; exit 1
  fi
fi
echo "setup: installing these Debian packages (apt-get, as root):$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

#!/bin/bash
# The Debian package on a minimal Debian 12: `cpack -G DEB` from this build, a bookworm chroot made
# by `debootstrap --variant=minbase` (kept as a tarball under the build tree, BUILD/debian12-minbase.tar,
# so a rerun only unpacks it; apt's downloaded packages are kept next to it in BUILD/debian12-apt/),
# `apt-get install ./churnscore_*.deb` inside it — apt must find every runtime dependency from the
# package's Depends alone — and then, from the installed files only (/usr/bin/churnscore, the man
# pages, /usr/share/churnscore/): generate, train and score under mpirun with 2 ranks, `man
# churnscore-score`, and one month of the chain through the installed scripts/run-month.sh, which
# must pick /usr/bin/churnscore by itself. /proc, /sys and /dev/shm are mounted into the chroot and
# unmounted on exit whatever happens. Needs root, debootstrap and the network (deb.debian.org) the
# first time; skipped (77) without root or debootstrap. The first run takes a few minutes
# (debootstrap and the download), a rerun about a minute.
source "$(dirname "$0")/../mpi/common.sh"
BUILD=${CS_BUILD:?CS_BUILD: the build tree}
BUILD=$(cd "$BUILD" && pwd)
MIRROR=${CS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (chroot, mount)"; exit 77; }
command -v debootstrap > /dev/null || { echo "SKIP: debootstrap not installed (apt-get install debootstrap)"; exit 77; }
t0=$(date +%s)
R="$T/root"
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null \
      || echo "could not unmount ${mounted[i]}" >&2
  done
  # never remove the tree while something is still mounted in it (rm would walk into /sys)
  if ! grep -q " $T/" /proc/mounts; then rm -rf "$T"; else echo "left $T: still mounted" >&2; fi
}
trap cleanup EXIT
mnt() { mount "$@" && mounted+=("${@: -1}"); }

# 1. the package
(cd "$BUILD" && cpack -G DEB -B "$T/cpack" > "$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack -G DEB"; }
DEB=$(ls "$T"/cpack/churnscore_*.deb)
dpkg-deb -f "$DEB" Depends | tee "$T/depends" | has libhdf5-openmpi || fail "the .deb declares no HDF5 dependency: $(cat "$T/depends")"
dpkg-deb -c "$DEB" > "$T/contents"
grep -q ' ./usr/share/man/man1/churnscore-score.1$' "$T/contents" || { cat "$T/contents"; fail "no man page in the .deb"; }
grep -q ' ./usr/share/churnscore/jobs/site.conf$' "$T/contents" || fail "no site.conf in the .deb"
echo "package: $(basename "$DEB"), $(stat -c %s "$DEB") bytes, Depends: $(cat "$T/depends")"

# 2. a minimal Debian 12, made once per build tree
TAR="$BUILD/debian12-minbase.tar"
if [ ! -s "$TAR" ]; then
  echo "debootstrap --variant=minbase bookworm from $MIRROR (once; kept as $TAR)"
  debootstrap --variant=minbase bookworm "$T/boot" "$MIRROR" > "$T/debootstrap.log" 2>&1 \
    || { tail -30 "$T/debootstrap.log"; fail "debootstrap (network?)"; }
  tar -C "$T/boot" -cf "$TAR.tmp" . && mv "$TAR.tmp" "$TAR"
  rm -rf "$T/boot"
  echo "debootstrap done after $(( $(date +%s) - t0 )) s"
fi
mkdir -p "$R" && tar -C "$R" -xf "$TAR"
[ -x "$R/usr/bin/apt-get" ] && [ ! -e "$R/usr/bin/churnscore" ] && [ ! -e "$R/usr/bin/mpirun" ] \
  || fail "the chroot is not a bare minbase system"
mkdir -p "$BUILD/debian12-apt" "$R/var/cache/apt/archives"
mnt -t proc proc "$R/proc"
mnt --bind -o ro /sys "$R/sys"  # hwloc (Open MPI) reads the topology there
mnt -t tmpfs -o size=512m tmpfs "$R/dev/shm"
mnt --bind "$BUILD/debian12-apt" "$R/var/cache/apt/archives"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
cp "$DEB" "$R/tmp/"

# 3. install with apt, then use the installed files only: a clean environment, no build tree, no
# source tree in the chroot
cat > "$R/tmp/inside.sh" <<'EOF'
set -eux
export DEBIAN_FRONTEND=noninteractive OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
apt-get update -qq
apt-get install -y -qq --no-install-recommends /tmp/churnscore_*.deb man-db > /tmp/apt.log
dpkg -s churnscore | grep '^Status: install ok installed' > /dev/null
test "$(command -v churnscore)" = /usr/bin/churnscore
churnscore --version
cd /tmp
churnscore generate --out s.h5 --subscribers 6000 --regions 3 --seed 11 --month 2026-10
mpirun -n 2 churnscore train --in s.h5 --model m.h5 --report r.md
mpirun -n 2 churnscore score --in s.h5 --model m.h5 --out sc.h5 --lists L --top 50
test -s L/summary.json
MANPAGER=cat MANWIDTH=100 man churnscore-score > man.txt
grep -q -- '--memory BYTES' man.txt
grep -q 'SLURM_MEM_PER_CPU' man.txt
man -w churnscore | grep '^/usr/share/man/man1/churnscore.1' > /dev/null
/usr/share/churnscore/jobs/submit-month.sh --help | grep 'usage: submit-month.sh' > /dev/null
churnscore generate --follows s.h5 --out s2.h5
bash /usr/share/churnscore/scripts/run-month.sh --month 2026-10 --snapshot s.h5 --train s.h5 --runs runs --ranks 2
bash /usr/share/churnscore/scripts/run-month.sh --month 2026-11 --snapshot s2.h5 --runs runs --ranks 2
test "$(readlink runs/latest)" = 2026-11
grep -qx 'CS_CHURNSCORE=/usr/bin/churnscore' runs/2026-11/plan.env
test -s runs/2026-11/evaluation.json
echo INSIDE-OK
EOF
t1=$(date +%s)
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8 \
  chroot "$R" /bin/bash /tmp/inside.sh > "$T/inside.log" 2>&1 || { tail -60 "$T/inside.log"; cat "$R/tmp/apt.log" 2>/dev/null | tail -20; fail "inside the Debian 12 chroot"; }
grep -q INSIDE-OK "$T/inside.log" || { tail -40 "$T/inside.log"; fail "the chroot script did not finish"; }
echo "deb: installed with apt on a minimal Debian 12 and ran generate/train/score, man churnscore-score and two months of run-month.sh from /usr (install and run $(( $(date +%s) - t1 )) s, $(( $(date +%s) - t0 )) s in all)"

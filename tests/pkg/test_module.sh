#!/bin/bash
# The install tree under Lmod: `cmake --install` of this build into a temporary prefix, then, in a
# shell that knows only Lmod's init file, `module use PREFIX/share/churnscore/modulefiles` and
# `module load churnscore` put the installed binary first on PATH and its man pages on MANPATH
# (man's default pages still found), the installed job scripts answer --help, and `module unload`
# takes it all away again. Skipped (77) where Lmod is not installed (Debian package lmod,
# scripts/setup.sh installs it).
source "$(dirname "$0")/../mpi/common.sh"
BUILD=${CS_BUILD:?CS_BUILD: the build tree}
LMOD_INIT=${LMOD_INIT:-/usr/share/lmod/lmod/init/bash}
[ -r "$LMOD_INIT" ] || { echo "SKIP: Lmod not installed ($LMOD_INIT; apt-get install lmod)"; exit 77; }
P="$T/prefix"
cmake --install "$BUILD" --prefix "$P" > "$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }
MF="$P/share/churnscore/modulefiles"
[ -f "$MF/churnscore/$("$CS" --version | awk '{print $2}').lua" ] || { find "$P"; fail "no module file for this version"; }

# a clean environment: nothing of ours on the paths, only Lmod's own set-up
out=$(env -i HOME="$T" PATH=/usr/bin:/bin TERM=dumb OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  bash --norc --noprofile -c '
set -e
source "$1"
command -v churnscore && { echo "churnscore already on PATH before the module"; exit 1; }
module use "$2"
module load churnscore
echo "which=$(command -v churnscore)"
echo "version=$(churnscore --version)"
echo "man=$(man -w churnscore-score)"
echo "manls=$(man -w ls 2>/dev/null || echo none)"
echo "jobs=$CHURNSCORE_JOBS"
"$CHURNSCORE_JOBS/submit-month.sh" --help | head -1 | sed "s/^/help=/"
module unload churnscore
echo "after=$(command -v churnscore || echo gone)"
' bash "$LMOD_INIT" "$MF" 2>&1) || { echo "$out"; fail "module load churnscore"; }
echo "$out"
get() { sed -n "s/^$1=//p" <<< "$out"; }
[ "$(get which)" = "$P/bin/churnscore" ] || fail "module load: churnscore is '$(get which)', not $P/bin/churnscore"
[ "$(get version)" = "$("$CS" --version)" ] || fail "the installed binary says '$(get version)'"
[ "$(get man)" = "$P/share/man/man1/churnscore-score.1" ] || fail "man churnscore-score: '$(get man)'"
if man -w ls > /dev/null 2>&1; then
  [ "$(get manls)" != none ] || fail "with the module loaded, man no longer finds the system's pages"
fi
[ "$(get jobs)" = "$P/share/churnscore/jobs" ] || fail "CHURNSCORE_JOBS is '$(get jobs)'"
grep -q "^help=usage: submit-month.sh" <<< "$out" || fail "the installed submit-month.sh --help"
[ "$(get after)" = gone ] || fail "module unload left churnscore on PATH: $(get after)"
echo "module: module load churnscore puts $P/bin first on PATH and its man pages on MANPATH; unload removes them"

#!/bin/bash
# test_layers.sh — the layering of the sources, checked by grep (issue 13): one communication layer
# and no arrow back up from model/ or io/.
#   1. No MPI call (MPI_Xxx( or PMPI_Xxx() in a .c or .h under mpi/, io/ or model/ outside the
#      modules that own communication: mpi/{reduce,gather,select,comm,log,main}.c and their headers.
#      Elsewhere MPI may be named, not called: MPI_Comm, MPI_COMM_*, MPI_Datatype in types and
#      signatures, MPI_Bcast in a comment or a message.
#   2. model/ includes neither mpi.h nor hdf5.h (nor H5*.h), nor any header of io/ or mpi/.
#   3. io/ includes no header of mpi/ (io/ returns statuses; mpi/ agrees on them).
# Comments and string literals are blanked (their newlines kept, so line numbers hold) before the
# grep. Each offending line is printed as FILE:LINE: text. The checker first runs on a small planted
# tree, where it must find exactly the planted offences (so a broken pattern cannot pass silently),
# then on the real sources. Needs no build and no MPI: the churnscore argument is not used.
set -euo pipefail
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/cs_layers.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# strip ROOT OUT: copies every .c/.h of ROOT/{mpi,io,model} to OUT with comments and string and
# character literals blanked
strip() {
  python3 - "$1" "$2" <<'PY'
import os, sys
root, out = sys.argv[1], sys.argv[2]
def blank(s):
    o, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if s.startswith('/*', i):
            j = s.find('*/', i + 2); j = n if j < 0 else j + 2
            o.append(''.join(ch if ch == '\n' else ' ' for ch in s[i:j])); i = j
        elif s.startswith('//', i):
            j = s.find('\n', i); j = n if j < 0 else j
            o.append(' ' * (j - i)); i = j
        elif c in '"\'':
            j = i + 1
            while j < n and s[j] != c and s[j] != '\n':
                j += 2 if s[j] == '\\' else 1
            j = min(j + 1, n)
            # an #include's "name.h" is kept: rule 2 and 3 read it
            keep = c == '"' and s[s.rfind('\n', 0, i) + 1:i].strip().startswith('#')
            o.append(s[i:j] if keep else c + ' ' * max(j - i - 2, 0) + (c if j - i > 1 else '')); i = j
        else:
            o.append(c); i += 1
    return ''.join(o)
for top in ('mpi', 'io', 'model'):
    for d, _, files in os.walk(os.path.join(root, top)):
        for f in files:
            if not f.endswith(('.c', '.h')): continue
            p = os.path.join(d, f); rel = os.path.relpath(p, root)
            os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
            with open(p, encoding='utf-8', errors='surrogateescape') as fi, \
                 open(os.path.join(out, rel), 'w', encoding='utf-8', errors='surrogateescape') as fo:
                fo.write(blank(fi.read()))
PY
}

# show ROOT: for grep -n hits "rel:LINE:..." on stdin, the original line of ROOT/rel
show() { while IFS=: read -r f l _; do printf '  %s:%s: %s\n' "$f" "$l" "$(sed -n "${l}p" "$1/$f" | sed 's/^ *//')"; done; }

# headers DIR...: basenames of the headers under DIR (one a line)
headers() { find "$@" -name '*.h' -printf '%f\n' 2>/dev/null | sort -u; }

# check ROOT: prints every offence and returns 1 when there is one
check() {
  local root=$1 s=$T/stripped bad=0 hits
  rm -rf "$s"; mkdir -p "$s"; strip "$root" "$s"
  # 1. MPI calls outside the communication modules
  hits=$(cd "$s" && find mpi io model -name '*.[ch]' 2>/dev/null | sort \
    | grep -vE '^mpi/(reduce|gather|select|comm|log|main)\.[ch]$' \
    | xargs -r grep -HnE '(^|[^A-Za-z0-9_])P?MPI_[A-Z][a-z0-9_]*[[:space:]]*\(' || true)
  if [ -n "$hits" ]; then
    echo "MPI called outside mpi/{reduce,gather,select,comm,log,main}.c:"; show "$root" <<< "$hits"; bad=1
  fi
  # 2. model/ sees no MPI, no HDF5, no io/ or mpi/ header
  local up; up=$(comm -23 <(headers "$root/io" "$root/mpi") <(headers "$root/model") | sed 's/\./\\./g' | paste -sd'|')
  hits=$(cd "$s" && find model -name '*.[ch]' 2>/dev/null | sort \
    | xargs -r grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^>\"]*/)?(mpi\.h|hdf5\.h|H5[^>\"]*\.h${up:+|$up})[>\"]" || true)
  if [ -n "$hits" ]; then
    echo "model/ includes MPI, HDF5 or a header of io/ or mpi/:"; show "$root" <<< "$hits"; bad=1
  fi
  # 3. io/ includes no header of mpi/
  local mp; mp=$(comm -23 <(headers "$root/mpi") <(headers "$root/io" "$root/model") | sed 's/\./\\./g' | paste -sd'|')
  hits=$(cd "$s" && find io -name '*.[ch]' 2>/dev/null | sort \
    | xargs -r grep -HnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]*/)?(${mp:-^})\"" || true)
  if [ -n "$hits" ]; then
    echo "io/ includes a header of mpi/:"; show "$root" <<< "$hits"; bad=1
  fi
  return $bad
}

# the planted tree: each offence must be found, each allowed form must not be
P=$T/planted
mkdir -p "$P/mpi" "$P/io" "$P/model/sub"
cat > "$P/mpi/reduce.c" <<'EOF'
int red(void) { return MPI_Allreduce(a, b, 1, MPI_INT, MPI_SUM, comm); }
EOF
cat > "$P/mpi/reduce.h" <<'EOF'
#include <mpi.h>
int red_agree(MPI_Comm comm, int status);
EOF
cat > "$P/mpi/cmd_x.c" <<'EOF'
#include "reduce.h"
/* MPI_Bcast(x) in a comment, and
 * over two lines MPI_Alltoallv(a, b) */
int f(MPI_Comm comm, MPI_Datatype t) { log("MPI_Bcast(of a status) failed"); return g(MPI_COMM_WORLD); } // MPI_Barrier(c)
int h(MPI_Comm comm) { double t = MPI_Wtime(); return PLANTED_1; }
int k(MPI_Comm comm) { return MPI_Comm_rank (comm, &r) + PLANTED_2; }
int q(void) { return PMPI_Send(b, 1) + PLANTED_3; }
EOF
cat > "$P/io/file.c" <<'EOF'
#include <mpi.h>
#include <hdf5.h>
#include "file.h"
#include "status.h"
#include "reduce.h" /* PLANTED_4 */
int io_open(MPI_Comm comm) { H5Pset_fapl_mpio(p, comm, MPI_INFO_NULL); return MPI_Bcast(&rc, 1, MPI_INT, 0, comm) + PLANTED_5; }
EOF
echo 'int io_open(MPI_Comm comm);' > "$P/io/file.h"
echo 'int status_set(int c);' > "$P/model/status.h"
cat > "$P/model/sub/gen.c" <<'EOF'
#include <math.h>
#include "status.h"
#include <mpi.h> /* PLANTED_6 */
#include "hdf5.h" /* PLANTED_7 */
#include "file.h" /* PLANTED_8 */
#include "../../mpi/reduce.h" /* PLANTED_9 */
static const char *s = "#include <mpi.h>";
EOF
if check "$P" > "$T/planted.out"; then cat "$T/planted.out"; fail "the planted offences were not found"; fi

found=$(grep -oE 'PLANTED_[0-9]+' "$T/planted.out" | sort -u | paste -sd' ')
[ "$found" = "PLANTED_1 PLANTED_2 PLANTED_3 PLANTED_4 PLANTED_5 PLANTED_6 PLANTED_7 PLANTED_8 PLANTED_9" ] \
  || { cat "$T/planted.out"; fail "planted tree: found '$found', want PLANTED_1..9"; }
[ "$(grep -c '^  ' "$T/planted.out")" = 9 ] || { cat "$T/planted.out"; fail "planted tree: allowed forms reported"; }

# the real sources
if ! check "$SRC" > "$T/real.out"; then
  cat "$T/real.out"
  fail "$(grep -c '^  ' "$T/real.out") line(s) break the layering (above)"
fi
echo "layers: no MPI call outside the communication modules; model/ and io/ include nothing above them"

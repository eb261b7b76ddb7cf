#!/bin/sh
# gen-man.sh — writes the man pages of churnscore from the program's own --help, so that a page
# never says something the option tables do not (the build runs it; CMakeLists.txt, "man pages"):
#
#   scripts/gen-man.sh path/to/churnscore OUTDIR VERSION
#
# Writes OUTDIR/churnscore.1 (from `churnscore --help`: the commands) and one
# OUTDIR/churnscore-COMMAND.1 per command listed there (from `churnscore COMMAND --help`: the usage
# line, the description lines before "options:", and each option with its placeholder, text and
# default). The sections that --help does not hold (environment, exit status, files) are the short
# fixed text below; the README and docs/ stay the reference for them.
# Why not help2man: it wants --help and --version of one program, not of subcommands, and would be
# one more build dependency; the format of opt_help (mpi/opts.c) is simple enough to read here.
set -eu
CS=${1:?usage: gen-man.sh CHURNSCORE OUTDIR VERSION}
OUT=${2:?usage: gen-man.sh CHURNSCORE OUTDIR VERSION}
VERSION=${3:?usage: gen-man.sh CHURNSCORE OUTDIR VERSION}
# the program is an MPI program started without mpirun (a singleton); as root Open MPI wants these
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$OUT"
# the date of the source, not of the build, so that two builds of one commit write the same pages
DATE=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d 2>/dev/null || date -u +%Y-%m-%d)

main_help=$("$CS" --help)
# "  score      score every subscriber ..." lines of the "commands:" block
commands=$(printf '%s\n' "$main_help" | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}')
[ -n "$commands" ] || { echo "gen-man.sh: no commands in '$CS --help'" >&2; exit 1; }

# the marks awk puts where a font change (\001B, \001I, \001R) or a macro line (\002TP) goes, put
# in after esc so that they are not escaped
marks() { sed -e 's/\x01B/\\fB/g' -e 's/\x01I/\\fI/g' -e 's/\x01R/\\fR/g' -e 's/^\x02/./'; }

# roff escapes for one line of text: backslash, hyphen-minus, and a leading '.' or "'"
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

footer() { # the sections every page shares
  cat <<'EOF'
.SH ENVIRONMENT
Inside a Slurm job (\fBSLURM_JOB_ID\fR set), an option \fB\-\-memory\fR left to its default takes
the job's memory per task: \fBSLURM_MEM_PER_CPU\fR \(mu \fBSLURM_CPUS_PER_TASK\fR, or else
\fBSLURM_MEM_PER_NODE\fR divided by the most tasks on one node, less 10% and 64M kept for MPI, HDF5
and the program (half the task's memory when that leaves less). The log says where the budget came
from. \fB\-\-verbose\fR lets every rank log; \fB\-\-quiet\fR silences the informational lines.
.SH EXIT STATUS
0 success; 1 bad option or argument; 2 out of memory, or the \-\-memory budget is too small;
3 a file cannot be opened, read, written or renamed; 4 a file is not what it should be;
5 the data are wrong; 6 numerical failure; 7 MPI failure; 8 internal error.
Every rank exits with the same status and rank 0 prints the one error line
"churnscore: error: FILE: dataset/row/column: what is wrong".
.SH FILES
.TP
.I PREFIX/share/churnscore/jobs/
the Slurm job scripts of the monthly chain (submit\-month.sh) and their site.conf
.TP
.I PREFIX/share/doc/churnscore/
the README and the documentation of the file formats and of operations
.SH SEE ALSO
EOF
  printf '.BR churnscore (1)'
  for see in $commands; do printf ',\n.BR churnscore\\-%s (1)' "$see"; done
  printf '\n'
}

# header NAME SECTION-TITLE SUMMARY
header() {
  printf '.TH %s 1 "%s" "churnscore %s" "User Commands"\n' "$(printf '%s' "$1" | tr a-z A-Z | esc)" "$DATE" "$VERSION"
  printf '.SH NAME\n%s \\- %s\n' "$(printf '%s' "$1" | esc)" "$(printf '%s' "$2" | esc)"
}

# The opt_help format: "usage: ...", description lines, "options:", then option lines
# "  --name META             text [default: x]" (text from column 28; a long left part stands alone
# and its text follows on the next line, indented to column 28).
options_roff() {
  awk '
    function flush() { if (opt != "") { print "\002TP"; print opt; print txt; opt = ""; txt = "" } }
    /^options:/ { on = 1; next }
    !on { next }
    /^  --/ {
      flush()
      left = substr($0, 3, 24); txt = substr($0, 28)
      # a left part longer than its 24 columns stands alone: column 27 is not the blank before the text
      if (substr($0, 27, 1) != " " || substr($0, 28, 1) == " ") { left = substr($0, 3); txt = "" }
      sub(/ +$/, "", left)
      n = split(left, w, " ")
      opt = "\001B" w[1] "\001R"
      for (i = 2; i <= n; i++) opt = opt " \001I" w[i] "\001R"
      next
    }
    /^                           / { t = substr($0, 28); txt = (txt == "" ? t : txt " " t); next }
    { flush() }
    END { flush() }
  ' | esc | marks
}

page_main() {
  header churnscore "distributed MPI batch churn scorer"
  printf '.SH SYNOPSIS\n'
  printf '%s\n' "$main_help" | sed -n 's/^usage: //p' | esc
  printf '.SH DESCRIPTION\n'
  printf 'churnscore scores every subscriber of a telecom operator for the risk of leaving, and writes\n'
  printf 'ranked early\\-warning lists per region. It runs under MPI (mpirun or srun); its results are\n'
  printf 'the same for any number of ranks. Each command has its own page and \\fB\\-\\-help\\fR.\n'
  printf '.SH COMMANDS\n'
  printf '%s\n' "$main_help" | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {
      name = $1; sub(/^ *[^ ]+ +/, ""); print "\002TP"; print "\001B" name "\001R"; print }' \
    | esc | marks
  printf '.SH GLOBAL OPTIONS\n'
  printf '%s\n' "$main_help" | sed -n '/^global options/,$p' | esc
  footer
}

page_cmd() { # page_cmd COMMAND HELP SUMMARY
  header "churnscore-$1" "$3"
  printf '.SH SYNOPSIS\n'
  printf '%s\n' "$2" | sed -n 's/^usage: //p' | esc
  printf '.SH DESCRIPTION\n'
  # the lines between the usage and "options:", else the command's summary
  desc=$(printf '%s\n' "$2" | sed -n '2,/^options:/p' | sed '/^options:/d' | sed '/^$/d')
  if [ -n "$desc" ]; then printf '%s\n' "$desc" | esc; else printf '%s\n' "$3." | esc; fi
  printf '.SH OPTIONS\n'
  printf '%s\n' "$2" | options_roff
  footer
}

tmp="$OUT/.gen-man.$$"
trap 'rm -f "$tmp"' EXIT
page_main > "$tmp" && mv "$tmp" "$OUT/churnscore.1"
for c in $commands; do
  help=$("$CS" "$c" --help) || { echo "gen-man.sh: '$CS $c --help' failed" >&2; exit 1; }
  printf '%s\n' "$help" | grep -q '^options:' || { echo "gen-man.sh: '$CS $c --help' has no options:" >&2; exit 1; }
  summary=$(printf '%s\n' "$main_help" | awk -v c="$c" '/^commands:/ {on = 1; next} on && $1 == c {sub(/^ *[^ ]+ +/, ""); print; exit}')
  page_cmd "$c" "$help" "$summary" > "$tmp" && mv "$tmp" "$OUT/churnscore-$c.1"
done

#!/bin/bash
# The command line as an admin meets it: -h and -V, placeholders that say what an option takes, sizes
# printed as 2G, the --memory default inside a Slurm job (from the environment Slurm gives a task:
# SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK, else SLURM_MEM_PER_NODE / the most tasks on a node, less
# 10% and 64M, half when that leaves less) and the log line that says where the budget came from; and
# the man pages of the build (scripts/gen-man.sh) hold every option that --help lists.
source "$(dirname "$0")/common.sh"
unset SLURM_JOB_ID SLURM_MEM_PER_CPU SLURM_MEM_PER_NODE SLURM_CPUS_PER_TASK SLURM_TASKS_PER_NODE SLURM_STEP_TASKS_PER_NODE

"$CS" -V | has -E '^churnscore [0-9]+\.[0-9]+\.[0-9]+ \(git ' || fail "-V"
[ "$("$CS" -V)" = "$("$CS" --version)" ] || fail "-V and --version differ"
"$CS" -h | has '^commands:' || fail "-h"
"$CS" score -h > "$T/h.txt" || fail "score -h"
grep -qE '^  --in FILE +snapshot to read' "$T/h.txt" || fail "--in has no FILE placeholder"
grep -qE '^  --lists DIR ' "$T/h.txt" || fail "--lists DIR"
grep -qE '^  --top K ' "$T/h.txt" || fail "--top K"
grep -qE '^  --memory BYTES .*\[default: 2G\]$' "$T/h.txt" || { cat "$T/h.txt"; fail "--memory BYTES [default: 2G]"; }
grep -q ' V ' "$T/h.txt" && fail "a placeholder still reads V"
"$CS" import --help | has -E '^  --memory BYTES .*\[default: 2G\]$' || fail "import --memory [default: 2G]"

mem_default() { env "$@" "$CS" score --help | sed -n 's/^  --memory BYTES .*\[default: \(.*\)\]$/\1/p'; }
# 500M per CPU, 1 CPU: 500M - 50M - 64M = 386M
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=500)" = 386M ] || fail "500M per CPU: $(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=500)"
# 1000M x 3 CPUs per task = 3000M: - 300M - 64M = 2636M
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=1000 SLURM_CPUS_PER_TASK=3)" = 2636M ] || fail "3 CPUs per task"
# 8000M per node, at most 4 tasks on a node of "4(x2),3": 2000M - 200M - 64M = 1736M
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_NODE=8000 SLURM_TASKS_PER_NODE='4(x2),3')" = 1736M ] || fail "per node / tasks"
# the step's tasks per node win over the job's
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_NODE=8000 SLURM_TASKS_PER_NODE=8 SLURM_STEP_TASKS_PER_NODE=2)" = 3536M ] || fail "step tasks per node"
# 100M: the margin would leave 26M, half is kept instead
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=100)" = 50M ] || fail "small task: $(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=100)"
# not a job, or a job that states no memory: the built-in default
[ "$(mem_default SLURM_MEM_PER_CPU=500)" = 2G ] || fail "SLURM_MEM_PER_CPU outside a job"
[ "$(mem_default SLURM_JOB_ID=9)" = 2G ] || fail "a job without memory"
[ "$(mem_default SLURM_JOB_ID=9 SLURM_MEM_PER_CPU=junk)" = 2G ] || fail "an unreadable SLURM_MEM_PER_CPU"

# the log says where the budget came from (the variables set for the ranks only: mpirun itself,
# seeing SLURM_JOB_ID, would launch through srun)
run 1 "$CS" generate --out "$T/s.h5" --subscribers 3000 --regions 2 --seed 3 --quiet || fail generate
run 1 "$CS" train --in "$T/s.h5" --model "$T/m.h5" --quiet || fail train
run 2 env SLURM_JOB_ID=41 SLURM_MEM_PER_CPU=500 "$CS" score --in "$T/s.h5" --model "$T/m.h5" \
  --out "$T/o.h5" --lists "$T/L" 2> "$T/e1.txt" > /dev/null || { cat "$T/e1.txt"; fail "score in a job"; }
grep -q "score: memory budget 386M per rank (Slurm job 41: SLURM_MEM_PER_CPU=500M x SLURM_CPUS_PER_TASK=1 = 500M per task, less 10% and 64M" "$T/e1.txt" \
  || { cat "$T/e1.txt"; fail "the log does not say the budget came from Slurm"; }
run 1 "$CS" score --in "$T/s.h5" --model "$T/m.h5" --out "$T/o2.h5" --lists "$T/L2" 2> "$T/e2.txt" > /dev/null || fail "score"
grep -q "score: memory budget 2G per rank (the built-in default: not in a Slurm job that states its memory)" "$T/e2.txt" || { cat "$T/e2.txt"; fail "outside Slurm"; }
run 1 env SLURM_JOB_ID=41 SLURM_MEM_PER_CPU=500 "$CS" score --in "$T/s.h5" --model "$T/m.h5" \
  --out "$T/o3.h5" --lists "$T/L3" --memory 1536K 2> "$T/e3.txt" > /dev/null && fail "1536K should not hold the block buffers"
grep -q "score: memory budget 1536K per rank (--memory)" "$T/e3.txt" || { cat "$T/e3.txt"; fail "--memory given"; }
[ "$(grep -c 'churnscore: error: rank 0: the block buffers of --block-rows 65536 take [0-9]* bytes, over --memory 1572864' "$T/e3.txt")" = 1 ] \
  || { cat "$T/e3.txt"; fail "the refusal of a too small --memory"; }
[ ! -e "$T/o3.h5" ] && [ ! -e "$T/L3" ] || fail "refused score left output"

# the man pages follow --help: every option of every command is on its page
MAN=${BUILD:?}/man
[ -f "$MAN/churnscore.1" ] || fail "no man pages in $MAN (the build's man target)"
for c in $("$CS" --help | awk '/^commands:/ {on = 1; next} on && /^$/ {exit} on {print $1}'); do
  [ -f "$MAN/churnscore-$c.1" ] || fail "no churnscore-$c.1"
  man -l "$MAN/churnscore-$c.1" 2>/dev/null > "$T/man.txt" < /dev/null || MANPAGER=cat man -l "$MAN/churnscore-$c.1" > "$T/man.txt"
  for o in $("$CS" "$c" --help | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p'); do
    grep -q -- "$o" "$T/man.txt" || fail "churnscore-$c.1 lacks $o"
  done
done
echo "opts: -h, -V, placeholders, sizes as 2G, the Slurm --memory default (per CPU, per node, small task, none) and its log line; man pages hold every option"

#!/bin/bash
# The project's private test Slurm (scripts/slurm/start-slurm.sh) leaves the machine's own Slurm
# alone: cluster A plays "the Slurm already running here" (a job of its own runs on it); a second
# start, pointed at A as the machine's Slurm (SLURM_CI_SYSTEM_CONF), refuses with exit 3 and changes
# nothing; told to (SLURM_CI_ALONGSIDE=1) it starts cluster B beside A on other ports, with other job
# ids, B's clients see only B's jobs, a 2-rank MPI job runs on B, and stopping B leaves A and its job
# running. Nothing under /etc/slurm or /etc/munge changes. Skipped (77) without root.
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SL="$SRC/scripts/slurm"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (start-slurm.sh starts munged, slurmctld, slurmd)"; exit 77; }
A="$T/a" B="$T/b"
cleanup() {
  for d in "$B" "$A"; do [ -s "$d/pids" ] && SLURM_CI_DIR=$d bash "$SL/stop-slurm.sh" > /dev/null 2>&1; done
  rm -rf "$T"
}
trap cleanup EXIT
etc_state() { for f in /etc/slurm /etc/munge; do
  if [ -e "$f" ]; then find "$f" -type f -exec sha256sum {} + 2>/dev/null | sort; else echo "$f absent"; fi; done; }
before=$(etc_state)

SLURM_CI_DIR=$A SLURM_CI_CPUS=4 timeout 300 bash "$SL/start-slurm.sh" > "$T/a.log" 2>&1 || { cat "$T/a.log"; fail "start A"; }
ja=$(SLURM_CONF=$A/etc/slurm.conf sbatch --parsable --output=/dev/null --wrap 'sleep 120')
for _ in $(seq 1 100); do
  [ "$(SLURM_CONF=$A/etc/slurm.conf squeue -h -j "$ja" -o %T)" = RUNNING ] && break; sleep 0.2
done
[ "$(SLURM_CONF=$A/etc/slurm.conf squeue -h -j "$ja" -o %T)" = RUNNING ] || fail "A's job does not run"

# A as the machine's Slurm: B refuses
rc=0; SLURM_CI_DIR=$B SLURM_CI_SYSTEM_CONF=$A/etc/slurm.conf timeout 60 bash "$SL/start-slurm.sh" > "$T/b0.log" 2>&1 || rc=$?
[ $rc = 3 ] && grep -q "a Slurm already answers here" "$T/b0.log" || { cat "$T/b0.log"; fail "start beside a running Slurm: exit $rc, expected 3"; }
[ ! -s "$B/pids" ] || fail "the refused start recorded daemons"

# told to, B starts beside A
SLURM_CI_DIR=$B SLURM_CI_SYSTEM_CONF=$A/etc/slurm.conf SLURM_CI_ALONGSIDE=1 SLURM_CI_CPUS=2 timeout 300 \
  bash "$SL/start-slurm.sh" > "$T/b.log" 2>&1 || { cat "$T/b.log"; fail "start B beside A"; }
port() { sed -n "s/^$1=//p" "$2/etc/slurm.conf"; }
[ "$(port SlurmctldPort "$A")" != "$(port SlurmctldPort "$B")" ] && [ "$(port SlurmdPort "$A")" != "$(port SlurmdPort "$B")" ] \
  || fail "A and B share a port"
export SLURM_CONF=$B/etc/slurm.conf
[ -z "$(squeue -h -o %i)" ] || fail "B's queue shows A's job: $(squeue -h)"
cat > "$T/hello.sh" <<EOF
#!/bin/bash
srun --mpi=pmix "$CS" generate --out "$T/g.h5" --subscribers 3000 --regions 2 --quiet && echo "B-OK \$SLURM_JOB_ID"
EOF
jb_rc=0; timeout 120 sbatch --wait --ntasks=2 --output="$T/b-job.out" "$T/hello.sh" > /dev/null || jb_rc=$?
[ $jb_rc = 0 ] && grep -q B-OK "$T/b-job.out" || { cat "$T/b-job.out"; fail "a 2-rank job on B: exit $jb_rc"; }
jb=$(sed -n 's/^B-OK //p' "$T/b-job.out")
[ "$jb" != "$ja" ] || fail "A and B gave the same job id $ja"
SLURM_CONF=$A/etc/slurm.conf squeue -h -j "$jb" 2>/dev/null | has . && fail "A knows B's job $jb"

SLURM_CI_DIR=$B bash "$SL/stop-slurm.sh" > "$T/stopb.log" 2>&1 || { cat "$T/stopb.log"; fail "stop B"; }
export SLURM_CONF=$A/etc/slurm.conf
timeout 5 scontrol ping | has 'is UP' || fail "stopping B stopped A"
[ "$(squeue -h -j "$ja" -o %T)" = RUNNING ] || fail "stopping B touched A's job: $(squeue -h -j "$ja" -o %T)"
[ "$(etc_state)" = "$before" ] || fail "/etc/slurm or /etc/munge changed"
echo "slurm pair: a second private Slurm refused beside a running one (3) unless told, then ran beside it on its own ports and job ids; stopping it left the first and its job alone; /etc unchanged"

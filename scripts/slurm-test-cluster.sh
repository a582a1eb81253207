#!/usr/bin/env bash
# cibox — CI in a box. MIT licence, see LICENSE.
#
# A throwaway one-node Slurm cluster on loopback, for cibox's tests and for trying the Slurm executor:
#
#   scripts/slurm-test-cluster.sh start DIR   # munged, slurmctld and slurmd from DIR, in a few seconds
#   scripts/slurm-test-cluster.sh stop DIR    # cancels its jobs, stops the daemons by pid, removes its cgroups
#   scripts/slurm-test-cluster.sh status DIR  # exit 0 when the node takes jobs
#
# Everything lives in DIR (absolute or relative; made if missing): the munge key and socket, slurm.conf and
# cgroup.conf, state, spool, logs and pid files. Nothing under /etc, /run or /var is used, no systemd is needed,
# and several clusters can run at once (random ports, a node name of their own). Clients find the cluster with
# `SLURM_CONF=DIR/slurm.conf`; `. DIR/env` sets it. Needs root and Debian's slurmctld, slurmd, slurm-client and
# munge packages (`apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge`).
set -euo pipefail

usage() {
    echo "usage: $0 start|stop|status DIR" >&2
    exit 64
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

# A TCP port nobody listens on (checked against /proc/net/tcp*, no tools needed).
free_port() {
    local port hex
    while true; do
        port=$(shuf -i 20000-60000 -n 1)
        hex=$(printf ':%04X ' "$port")
        if ! grep -qi "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

# Whether process $1 is alive (a zombie counts as gone: the daemons are reaped late by whoever adopted them).
alive() {
    local state
    state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# Starts "$@" in the background as a daemon (its pid is then $!): its own session, none of the caller's descriptors
# but 0-2 (which the caller redirects), and no blocked signals. A daemon holding a descriptor of whoever ran this
# script would keep them waiting for it (Foundation's Process waits for the end of a socket it gives the child), and
# one started with SIGTERM blocked (threads of a Swift test process block it, and children inherit the mask) would
# ignore `stop`. Perl (perl-base, always on Debian) clears the mask, since bash cannot.
daemon() {
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            if ((fd > 2 && fd != 255)); then eval "exec $fd>&-"; fi
        done
        exec perl -MPOSIX -e 'sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die "sigprocmask: $!";
            exec { $ARGV[0] } @ARGV or die "cannot run $ARGV[0]: $!\n"' setsid "$@"
    ) &
}

# Waits up to $2 tenths of a second for process $1 to end.
wait_gone() {
    local pid=$1 tenths=$2
    while alive "$pid" && ((tenths-- > 0)); do sleep 0.1; done
    ! alive "$pid"
}

start() {
    for program in munged mungekey slurmctld slurmd sinfo; do
        command -v "$program" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
        command -v "$program" >/dev/null 2>&1 || {
            echo "slurm-test-cluster: '$program' is missing; install the Debian packages" \
                "slurmctld slurmd slurm-client munge" >&2
            exit 69
        }
    done
    if [[ -f $dir/slurmctld.pid ]] && alive "$(cat "$dir/slurmctld.pid")"; then
        echo "slurm-test-cluster: a cluster already runs from $dir; stop it first" >&2
        exit 1
    fi
    mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
    # munged refuses a socket folder that others may write, and a key that others may read.
    chmod 755 "$dir" "$dir/munge"
    mungekey --create --force --keyfile="$dir/munge/munge.key" >/dev/null
    chmod 600 "$dir/munge/munge.key"

    local node ctld_port slurmd_port cpus memory
    node=cibox$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    cpus=$(nproc)
    # A little less than the machine has: a node that claims more memory than it has is drained at once.
    memory=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)

    cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm-test-cluster.sh: a one-node cluster on loopback for tests.
ClusterName=cibox
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# Jobs are tracked and confined in cgroups: cancel kills setsid children too, --mem and CPUs are enforced.
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
JobAcctGatherType=jobacct_gather/cgroup
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
# Start a job as soon as it is submitted (the default batch delay is about 2.5 s).
SchedulerParameters=batch_sched_delay=0
SchedulerType=sched/backfill
# No slurmdbd: no sacct. Finished jobs stay visible to squeue/scontrol for MinJobAge seconds.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
MinJobAge=600
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
NodeName=$node NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$dir/cgroup.conf" <<EOF
CgroupPlugin=autodetect
ConstrainCores=yes
ConstrainRAMSpace=yes
ConstrainSwapSpace=yes
AllowedSwapSpace=0
EOF
    echo "$node" >"$dir/node"
    printf 'export SLURM_CONF=%q\n' "$dir/slurm.conf" >"$dir/env"
    export SLURM_CONF=$dir/slurm.conf

    daemon munged -F --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
        </dev/null >>"$dir/log/munged.out" 2>&1
    echo $! >"$dir/munged.daemon.pid"
    local tenths=50
    until [[ -S $dir/munge/munge.socket ]] || ((tenths-- == 0)); do sleep 0.1; done
    [[ -S $dir/munge/munge.socket ]] || fail "munged did not start" "$dir/log/munged.log"

    daemon slurmctld -D -i -f "$dir/slurm.conf" </dev/null >>"$dir/log/slurmctld.out" 2>&1
    echo $! >"$dir/slurmctld.daemon.pid"
    daemon slurmd -D -N "$node" -f "$dir/slurm.conf" </dev/null >>"$dir/log/slurmd.out" 2>&1
    echo $! >"$dir/slurmd.daemon.pid"

    local deadline=$((SECONDS + 30))
    until node_ready; do
        for name in slurmctld slurmd; do
            alive "$(cat "$dir/$name.daemon.pid")" || fail "$name stopped at start" "$dir/log/$name.log"
        done
        ((SECONDS < deadline)) || fail "the node did not come up within 30 s" "$dir/log/slurmctld.log" \
            "$dir/log/slurmd.log"
        sleep 0.1
    done
    echo "slurm-test-cluster: node $node is up; export SLURM_CONF=$dir/slurm.conf"
}

# Whether the node is idle or mixed (it takes jobs).
node_ready() {
    local state
    state=$(timeout 5 sinfo -h -N -o '%T' 2>/dev/null | head -n 1) || return 1
    [[ $state == idle* || $state == mixed* || $state == allocated* ]]
}

# Prints why the start failed with the logs' last lines, stops what started, and exits 1.
fail() {
    local message=$1
    shift
    echo "slurm-test-cluster: $message" >&2
    for log in "$@"; do
        [[ -f $log ]] && tail -n 20 "$log" | sed "s|^|  $(basename "$log"): |" >&2
    done
    stop >/dev/null 2>&1 || true
    exit 1
}

stop() {
    export SLURM_CONF=$dir/slurm.conf
    if [[ -f $dir/slurmctld.daemon.pid ]] && alive "$(cat "$dir/slurmctld.daemon.pid")"; then
        scancel --quiet --full --user=root 2>/dev/null || true
        local tenths=50
        while [[ -n $(squeue -h -t running,completing -o %i 2>/dev/null) ]] && ((tenths-- > 0)); do sleep 0.1; done
    fi
    local pids=()
    for name in slurmd slurmctld munged; do
        local file=$dir/$name.daemon.pid
        [[ -f $file ]] || continue
        local pid
        pid=$(cat "$file")
        if alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    for pid in "${pids[@]}"; do
        wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
    done
    # Whatever is left in the node's cgroups (a job's slurmstepd, its processes): kill it, then remove the groups.
    if [[ -f $dir/node ]]; then
        local node
        node=$(cat "$dir/node")
        for root in /sys/fs/cgroup/*/"slurm_$node" /sys/fs/cgroup/"slurm_$node" /sys/fs/cgroup/unified/"slurm_$node"; do
            [[ -d $root ]] || continue
            find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
                kill -KILL "$pid" 2>/dev/null || true
            done
            # Deepest first; a group is removable once its processes are gone.
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
                [[ -d $root ]] || break
                sleep 0.2
            done
        done
    fi
    rm -f "$dir"/*.daemon.pid
    echo "slurm-test-cluster: stopped the cluster of $dir"
}

status() {
    export SLURM_CONF=$dir/slurm.conf
    [[ -f $dir/slurm.conf ]] && node_ready
}

case $command in
start) start ;;
stop) stop ;;
status) status ;;
*) usage ;;
esac

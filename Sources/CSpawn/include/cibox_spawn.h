// cibox — CI in a box. MIT licence, see LICENSE.
//
// The fork/exec shim for job processes. Why it exists: a job's process must join its cgroups and start
// its own session *before* it execs, and neither Foundation.Process nor swift-subprocess 1.0.2 can run
// code between fork and exec on Linux. Everything the child does between fork and exec is
// async-signal-safe. It can go once swift-subprocess offers a pre-exec hook (or CLONE_INTO_CGROUP) on Linux.
#ifndef CIBOX_SPAWN_H
#define CIBOX_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/// What to start and how.
typedef struct {
    /// Absolute path of the program.
    const char *path;
    /// NULL-terminated argument vector (argv[0] included).
    char *const *argv;
    /// NULL-terminated environment ("KEY=VALUE").
    char *const *envp;
    /// Working folder of the child, or NULL to keep the parent's.
    const char *cwd;
    /// Descriptors for the child's standard input, output and error (dup2'ed onto 0, 1, 2).
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// A descriptor the child gets as 3 (runc's --preserve-fds), or -1 for none.
    int extra_fd;
    /// The child's umask, or -1 to keep the parent's.
    int umask_value;
    /// `cgroup.procs` files the child writes its own pid into before exec (may be NULL when count is 0).
    const char *const *cgroup_procs;
    size_t cgroup_count;
    /// Resource limits applied in the child when no cgroup is used: address space in bytes (0 = none),
    /// number of processes of the user (0 = none), CPU seconds (0 = none).
    unsigned long long rlimit_as;
    unsigned long long rlimit_nproc;
    unsigned long long rlimit_cpu;
    /// User and group to switch to before exec (-1 = keep).
    long uid;
    long gid;
} cibox_spawn_options;

/// Forks and execs per `options`; the child runs in a new session (setsid) and process group.
///
/// Returns 0 and stores the child's pid in `pid_out` on success. On failure returns -1 and stores the
/// errno in `errno_out` and the failing stage in `stage_out` (see cibox_spawn_stage_name).
int cibox_spawn(const cibox_spawn_options *options, pid_t *pid_out, int *errno_out, int *stage_out);

/// A short name for a failing stage reported by cibox_spawn ("fork", "setsid", "cgroup", "chdir", "exec", …).
const char *cibox_spawn_stage_name(int stage);

/// Makes the calling process a child subreaper (PR_SET_CHILD_SUBREAPER): orphans of its jobs come back to it.
int cibox_set_child_subreaper(void);

/// pidfd_open(2): a descriptor that becomes readable when `pid` exits. -1 with errno on failure.
int cibox_pidfd_open(pid_t pid);

/// waitpid(pid, &status, flags) returning the raw status in `status_out`; -1 on error.
int cibox_waitpid(pid_t pid, int *status_out, int flags);

/// wait4(pid, &status, flags, &usage): like cibox_waitpid, and also the CPU seconds (user + system) and the
/// peak resident set (KiB) of the process and its waited-for descendants.
int cibox_wait4(pid_t pid, int *status_out, int flags, double *cpu_seconds_out, long *max_rss_kib_out);

/// Decodes a wait status: exit code (0–255) when the process exited, else 128 + the signal number.
int cibox_exit_code(int status);

/// Whether a wait status says the process was killed by a signal.
int cibox_was_signaled(int status);

/// pipe2(O_CLOEXEC), plus O_NONBLOCK on both ends when `nonblocking` is non-zero (glibc hides pipe2 from Swift).
int cibox_pipe(int fds[2], int nonblocking);

/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): the control socket between cibox and a job agent.
int cibox_socketpair(int fds[2]);

/// Sends all `length` bytes on `socket`, with `count` descriptors (SCM_RIGHTS) attached to the first byte; retries on
/// EINTR and short writes; never raises SIGPIPE. Returns 0, or -1 with errno set.
int cibox_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, int count);

#endif

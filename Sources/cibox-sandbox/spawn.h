// cibox — CI in a box. MIT licence, see LICENSE.
#ifndef CIBOX_SANDBOX_SPAWN_H
#define CIBOX_SANDBOX_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/// One process to start.
typedef struct {
    long uid;
    long gid;
    gid_t *groups;
    size_t group_count;
    char *cwd;
    int make_directory;
    char **argv;
    char **envp;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    /// NULL-terminated `cgroup.procs` files the process joins before it drops to the job's user.
    char **procs_files;
} spawn_request;

/// Forks and execs `request` in a new session; returns the pid, or -1 with the failing stage and errno (the child
/// was reaped).
pid_t spawn_process(const spawn_request *request, char *stage, size_t stage_size, int *error);

#endif

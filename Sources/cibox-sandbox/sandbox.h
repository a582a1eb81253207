// cibox — CI in a box. MIT licence, see LICENSE.
#ifndef CIBOX_SANDBOX_H
#define CIBOX_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

/// One folder of the job bound somewhere in its view.
typedef struct {
    char *source;
    char *target;
    long flags;
} bind_mount;

/// What the agent makes before the first process.
typedef struct {
    long flags;
    char *tmp_source;
    char *scratch;
    bind_mount *binds;
    size_t bind_count;
    char **procs_files;
    char **keep;
    long guard_mode;
    char **guard_files;
    size_t guard_count;
} setup_request;

/// Why a setup or a spawn failed: the stage and errno, and a detail (a path) for the message.
typedef struct {
    const char *stage;
    int error;
    char detail[512];
} failure;

/// Makes the job's mount namespace: a private /tmp and the binds, creating missing mount points without writing
/// to the host's folders. Returns 0, or -1 with `out` filled.
int setup_mounts(const setup_request *request, failure *out);

/// Kills every process of the job's cgroups except the agent itself (the guard's last act).
void guard_kill(const setup_request *request);

#endif

// cibox — CI in a box. MIT licence, see LICENSE.
//
// The guard: when cibox goes away without ending the job (killed with SIGKILL, crashed), the agent's control socket
// reads end of file and the agent kills every process of the job's cgroups before it exits itself, so nothing of
// the job survives its cibox.
#define _GNU_SOURCE
#include "sandbox.h"
#include "protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// Kills every pid listed in `procs` but ours; returns how many others were listed.
static int kill_listed(const char *procs) {
    int fd = open(procs, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buffer[65536];
    ssize_t length = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (length <= 0) return 0;
    buffer[length] = 0;
    int others = 0;
    pid_t self = getpid();
    for (char *line = strtok(buffer, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        pid_t pid = (pid_t)atoi(line);
        if (pid <= 0 || pid == self) continue;
        others++;
        kill(pid, SIGKILL);
    }
    return others;
}

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t ignored = write(fd, text, strlen(text));
    (void)ignored;
    close(fd);
}

void guard_kill(const setup_request *request) {
    if (request->guard_mode == GUARD_CGROUP_KILL) {
        // cgroup v2: one write kills the whole subtree.
        for (size_t i = 0; i < request->guard_count; i++) write_file(request->guard_files[i], "1");
        return;
    }
    if (request->guard_mode == GUARD_CGROUP_PROCS && request->guard_count > 0) {
        // cgroup v1: the agent is outside the job's cgroup, so it may freeze it (nothing forks while it kills),
        // SIGKILL every member, thaw, until none is left.
        const char *freezer = request->guard_files[0][0] ? request->guard_files[0] : NULL;
        struct timespec pause = { 0, 5 * 1000 * 1000 };
        for (int round = 0; round < 400; round++) {
            if (freezer) write_file(freezer, "FROZEN");
            int others = 0;
            for (size_t i = 1; i < request->guard_count; i++) others += kill_listed(request->guard_files[i]);
            if (freezer) write_file(freezer, "THAWED");
            if (others == 0) return;
            nanosleep(&pause, NULL);
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.
//
// cibox-sandbox: the job agent. cibox starts one per job run, inside the job's cgroup, with one end of a socket
// pair as its control descriptor. On this machine it first makes the job's own mount namespace (a private /tmp,
// absolute working directories); inside a container it is the container's first process. Then it starts the
// job's processes when cibox asks (in the job's view of the files, as the job's user), reports when each exits,
// signals them, reaps orphans (it is their subreaper), and, when cibox goes away without ending the job, kills
// everything the job left before exiting itself (see guard.c).
//
// It is a small static program so that it runs in any image, with or without a C library of its own.
#define _GNU_SOURCE
#include "protocol.h"
#include "sandbox.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int64_t id;
    pid_t pid;
} child;

static child *children = NULL;
static size_t child_count = 0, child_capacity = 0;
static setup_request setup;

static void remember(int64_t id, pid_t pid) {
    if (child_count == child_capacity) {
        child_capacity = child_capacity ? child_capacity * 2 : 16;
        child *grown = realloc(children, child_capacity * sizeof(child));
        if (grown == NULL) abort();
        children = grown;
    }
    children[child_count++] = (child){ id, pid };
}

static pid_t pid_of(int64_t id) {
    for (size_t i = 0; i < child_count; i++) {
        if (children[i].id == id) return children[i].pid;
    }
    return -1;
}

// Forgets `pid` and returns its id, or -1 when it is no process cibox asked for (an orphan).
static int64_t forget(pid_t pid) {
    for (size_t i = 0; i < child_count; i++) {
        if (children[i].pid != pid) continue;
        int64_t id = children[i].id;
        children[i] = children[--child_count];
        return id;
    }
    return -1;
}

static char **read_strings(reader *r) {
    uint32_t count = read_count(r);
    if (r->failed || count > 1 << 20) return NULL;
    char **list = calloc((size_t)count + 1, sizeof(char *));
    if (list == NULL) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        list[i] = read_string(r);
        if (list[i] == NULL) return NULL;
    }
    return list;
}

static void free_strings(char **list) {
    if (list == NULL) return;
    for (size_t i = 0; list[i] != NULL; i++) free(list[i]);
    free(list);
}

static int read_setup(const frame *f) {
    reader r = { f->payload, f->length, 0, 0 };
    setup.flags = (long)read_int(&r);
    setup.tmp_source = read_string(&r);
    setup.scratch = read_string(&r);
    setup.bind_count = read_count(&r);
    if (r.failed || setup.bind_count > 4096) return -1;
    setup.binds = calloc(setup.bind_count + 1, sizeof(bind_mount));
    for (size_t i = 0; setup.binds != NULL && i < setup.bind_count; i++) {
        setup.binds[i].source = read_string(&r);
        setup.binds[i].target = read_string(&r);
        setup.binds[i].flags = (long)read_int(&r);
    }
    setup.procs_files = read_strings(&r);
    setup.keep = read_strings(&r);
    setup.guard_mode = (long)read_int(&r);
    char **files = read_strings(&r);
    if (r.failed || files == NULL || setup.binds == NULL || setup.procs_files == NULL || setup.keep == NULL) {
        return -1;
    }
    setup.guard_files = files;
    for (setup.guard_count = 0; files[setup.guard_count] != NULL; setup.guard_count++) {}
    return 0;
}

static void reply_failure(int control, uint32_t type, int64_t id, const char *stage, int error, const char *detail) {
    writer w = { 0 };
    if (type == MSG_SPAWN_FAILED) write_int(&w, id);
    write_string(&w, stage);
    write_int(&w, error);
    if (type == MSG_SETUP_FAILED) write_string(&w, detail ? detail : "");
    frame_send(control, type, &w);
    free(w.bytes);
}

static void handle_spawn(int control, frame *f) {
    reader r = { f->payload, f->length, 0, 0 };
    spawn_request request = { 0 };
    int64_t id = read_int(&r);
    request.uid = (long)read_int(&r);
    request.gid = (long)read_int(&r);
    uint32_t group_count = read_count(&r);
    gid_t groups[256];
    if (group_count > 256) r.failed = 1;
    for (uint32_t i = 0; !r.failed && i < group_count; i++) groups[i] = (gid_t)read_int(&r);
    request.groups = groups;
    request.group_count = group_count;
    request.cwd = read_string(&r);
    request.make_directory = (read_int(&r) & SPAWN_MAKE_DIRECTORY) != 0;
    request.argv = read_strings(&r);
    request.envp = read_strings(&r);
    request.stdin_fd = f->fd_count > 0 ? f->fds[0] : -1;
    request.stdout_fd = f->fd_count > 1 ? f->fds[1] : -1;
    request.stderr_fd = f->fd_count > 2 ? f->fds[2] : -1;
    request.procs_files = setup.procs_files;
    if (r.failed || request.cwd == NULL || request.argv == NULL || request.argv[0] == NULL || request.envp == NULL) {
        reply_failure(control, MSG_SPAWN_FAILED, id, "request", EINVAL, NULL);
    } else {
        char stage[32];
        int error = 0;
        pid_t pid = spawn_process(&request, stage, sizeof stage, &error);
        if (pid < 0) {
            reply_failure(control, MSG_SPAWN_FAILED, id, stage, error, NULL);
        } else {
            remember(id, pid);
            writer w = { 0 };
            write_int(&w, id);
            write_int(&w, pid);
            frame_send(control, MSG_SPAWNED, &w);
            free(w.bytes);
        }
    }
    free(request.cwd);
    free_strings(request.argv);
    free_strings(request.envp);
}

static void handle_signal(frame *f) {
    reader r = { f->payload, f->length, 0, 0 };
    int64_t id = read_int(&r);
    int signo = (int)read_int(&r);
    pid_t pid = pid_of(id);
    if (r.failed || pid <= 0) return;
    kill(-pid, signo);
    kill(pid, signo);
}

// Reaps every exited child; reports those cibox started.
static void reap(int control) {
    for (;;) {
        int status = 0;
        struct rusage usage;
        memset(&usage, 0, sizeof usage);
        pid_t pid = wait4(-1, &status, WNOHANG, &usage);
        if (pid <= 0) return;
        int64_t id = forget(pid);
        if (id < 0) continue;
        writer w = { 0 };
        write_int(&w, id);
        write_int(&w, status);
        write_int(&w, (int64_t)usage.ru_utime.tv_sec * 1000000 + usage.ru_utime.tv_usec
                          + (int64_t)usage.ru_stime.tv_sec * 1000000 + usage.ru_stime.tv_usec);
        write_int(&w, usage.ru_maxrss);
        frame_send(control, MSG_EXITED, &w);
        free(w.bytes);
    }
}

// Ends the job: kills what cibox started (and, as the guard, everything in the job's cgroups), then exits.
static void end_job(void) {
    for (size_t i = 0; i < child_count; i++) kill(-children[i].pid, SIGKILL);
    for (size_t i = 0; i < child_count; i++) kill(children[i].pid, SIGKILL);
    guard_kill(&setup);
    _exit(0);
}

static int parse_control(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--control") == 0) return atoi(argv[i + 1]);
    }
    return -1;
}

int main(int argc, char **argv) {
    int control = parse_control(argc, argv);
    if (control < 0 || fcntl(control, F_SETFD, FD_CLOEXEC) != 0) {
        fprintf(stderr, "cibox-sandbox: the job agent of cibox; cibox starts it with --control FD\n");
        return 64;
    }
    signal(SIGPIPE, SIG_IGN);
    // The job's processes get the usual umask, whatever cibox's own (077) is.
    umask(022);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    sigset_t childSignals;
    sigemptyset(&childSignals);
    sigaddset(&childSignals, SIGCHLD);
    sigprocmask(SIG_BLOCK, &childSignals, NULL);
    int signals = signalfd(-1, &childSignals, SFD_CLOEXEC | SFD_NONBLOCK);
    frame f;
    if (frame_read(control, &f) != 0 || f.type != MSG_SETUP || read_setup(&f) != 0) {
        reply_failure(control, MSG_SETUP_FAILED, 0, "setup", EINVAL, "malformed setup request");
        return 65;
    }
    frame_free(&f);
    failure failed = { 0 };
    if (setup_mounts(&setup, &failed) != 0) {
        reply_failure(control, MSG_SETUP_FAILED, 0, failed.stage, failed.error, failed.detail);
        return 66;
    }
    frame_send(control, MSG_READY, NULL);
    for (;;) {
        struct pollfd fds[2] = { { control, POLLIN, 0 }, { signals, POLLIN, 0 } };
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            end_job();
        }
        if (fds[1].revents) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == sizeof info) {}
            reap(control);
        }
        if (!fds[0].revents) continue;
        if (frame_read(control, &f) != 0) end_job();  // cibox went away: nothing of the job may outlive it
        switch (f.type) {
        case MSG_SPAWN: handle_spawn(control, &f); break;
        case MSG_SIGNAL: handle_signal(&f); break;
        case MSG_SHUTDOWN: frame_free(&f); end_job(); break;
        default: break;
        }
        frame_free(&f);
        reap(control);
    }
}

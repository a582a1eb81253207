// cibox — CI in a box. MIT licence, see LICENSE.
//
// Starting one process of the job: a new session, the job's user and groups, its working folder (made when asked,
// as that user), its descriptors, then exec (a bare program name is looked up on the PATH of its own environment).
// A failure before exec comes back over a close-on-exec pipe as a stage and an errno.
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_fail(int report, const char *stage) {
    int error = errno;
    char message[64];
    int length = snprintf(message, sizeof message, "%s %d", stage, error);
    ssize_t ignored = write(report, message, (size_t)length);
    (void)ignored;
    _exit(127);
}

static void make_folders(const char *path, int report) {
    char partial[4096];
    size_t length = strlen(path);
    if (length >= sizeof partial) {
        errno = ENAMETOOLONG;
        child_fail(report, "mkdir");
    }
    for (size_t i = 1; i <= length; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        memcpy(partial, path, i);
        partial[i] = 0;
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) child_fail(report, "mkdir");
    }
}

static const char *environment_value(char *const *envp, const char *name) {
    size_t length = strlen(name);
    for (size_t i = 0; envp[i] != NULL; i++) {
        if (strncmp(envp[i], name, length) == 0 && envp[i][length] == '=') return envp[i] + length + 1;
    }
    return NULL;
}

static void exec_program(const spawn_request *request, int report) {
    const char *program = request->argv[0];
    if (strchr(program, '/') != NULL) {
        execve(program, request->argv, request->envp);
        child_fail(report, "exec");
    }
    const char *path = environment_value(request->envp, "PATH");
    if (path == NULL) path = "/usr/local/bin:/usr/bin:/bin";
    int saw_eacces = 0;
    char candidate[4096];
    for (const char *start = path;; ) {
        const char *end = strchr(start, ':');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)length, length ? start : ".", program);
        execve(candidate, request->argv, request->envp);
        if (errno == EACCES) saw_eacces = 1;
        if (end == NULL) break;
        start = end + 1;
    }
    errno = saw_eacces ? EACCES : ENOENT;
    child_fail(report, "exec");
}

static void child_main(const spawn_request *request, int report) {
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0) child_fail(report, "setsid");
    char pid_text[32];
    int pid_length = snprintf(pid_text, sizeof pid_text, "%d\n", (int)getpid());
    for (size_t i = 0; request->procs_files != NULL && request->procs_files[i] != NULL; i++) {
        int fd = open(request->procs_files[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pid_text, (size_t)pid_length) < 0) child_fail(report, "cgroup");
        close(fd);
    }
    if (request->uid >= 0 || request->gid >= 0) {
        if (setgroups(request->group_count, request->groups) != 0) child_fail(report, "setgroups");
        if (request->gid >= 0 && setgid((gid_t)request->gid) != 0) child_fail(report, "setgid");
        if (request->uid >= 0 && setuid((uid_t)request->uid) != 0) child_fail(report, "setuid");
    }
    if (request->make_directory) make_folders(request->cwd, report);
    if (request->cwd[0] != 0 && chdir(request->cwd) != 0) child_fail(report, "chdir");
    int fds[3] = { request->stdin_fd, request->stdout_fd, request->stderr_fd };
    for (int target = 0; target < 3; target++) {
        if (fds[target] < 0) continue;
        if (fds[target] == target) {
            int flags = fcntl(target, F_GETFD);
            if (flags >= 0) fcntl(target, F_SETFD, flags & ~FD_CLOEXEC);
        } else if (dup2(fds[target], target) < 0) {
            child_fail(report, "dup2");
        }
    }
    // Every other descriptor closes at exec: the agent's are all close-on-exec, and so are those received.
    exec_program(request, report);
}

pid_t spawn_process(const spawn_request *request, char *stage, size_t stage_size, int *error) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        snprintf(stage, stage_size, "pipe");
        *error = errno;
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(stage, stage_size, "fork");
        *error = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        child_main(request, report[1]);
    }
    close(report[1]);
    char message[64] = { 0 };
    ssize_t got;
    do { got = read(report[0], message, sizeof message - 1); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got > 0) {
        // The child failed before exec and exited: reap it here, it is no step.
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        char name[32] = { 0 };
        int code = 0;
        if (sscanf(message, "%31s %d", name, &code) != 2) {
            snprintf(name, sizeof name, "spawn");
            code = EIO;
        }
        snprintf(stage, stage_size, "%s", name);
        *error = code;
        return -1;
    }
    return pid;
}

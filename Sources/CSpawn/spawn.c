// cibox — CI in a box. MIT licence, see LICENSE.
#define _GNU_SOURCE
#include "cibox_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
    STAGE_PIPE = 1, STAGE_FORK, STAGE_SETSID, STAGE_CGROUP, STAGE_RLIMIT, STAGE_USER,
    STAGE_DUP, STAGE_CHDIR, STAGE_EXEC
};

const char *cibox_spawn_stage_name(int stage) {
    switch (stage) {
    case STAGE_PIPE: return "pipe";
    case STAGE_FORK: return "fork";
    case STAGE_SETSID: return "setsid";
    case STAGE_CGROUP: return "cgroup";
    case STAGE_RLIMIT: return "rlimit";
    case STAGE_USER: return "setuid";
    case STAGE_DUP: return "dup2";
    case STAGE_CHDIR: return "chdir";
    case STAGE_EXEC: return "exec";
    default: return "spawn";
    }
}

// Writes the decimal form of `value` into `buffer` (async-signal-safe); returns its length.
static size_t format_pid(pid_t value, char *buffer) {
    char digits[24];
    size_t count = 0;
    unsigned long v = (unsigned long)value;
    do { digits[count++] = (char)('0' + v % 10); v /= 10; } while (v > 0);
    for (size_t i = 0; i < count; i++) buffer[i] = digits[count - 1 - i];
    buffer[count] = '\n';
    return count + 1;
}

// Reports (stage, errno) to the parent over the close-on-exec pipe and exits.
static void child_fail(int report_fd, int stage) {
    int message[2] = { stage, errno };
    ssize_t ignored = write(report_fd, message, sizeof message);
    (void)ignored;
    _exit(127);
}

static void set_limit(int resource, unsigned long long value, int report_fd) {
    if (value == 0) return;
    struct rlimit limit = { (rlim_t)value, (rlim_t)value };
    if (setrlimit(resource, &limit) != 0) child_fail(report_fd, STAGE_RLIMIT);
}

static void child_main(const cibox_spawn_options *o, int report_fd) {
    // Default signal handling, then an empty mask: the parent's choices must not leak into jobs. The parent
    // blocked every signal around clone, so none can run cibox's handlers here before they are reset.
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0) child_fail(report_fd, STAGE_SETSID);
    char pid_text[32];
    size_t pid_length = format_pid(getpid(), pid_text);
    for (size_t i = 0; i < o->cgroup_count; i++) {
        int fd = open(o->cgroup_procs[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0) child_fail(report_fd, STAGE_CGROUP);
        if (write(fd, pid_text, pid_length) < 0) child_fail(report_fd, STAGE_CGROUP);
        close(fd);
    }
    // The child has a file-system context of its own (no CLONE_FS): its umask is its own.
    if (o->umask_value >= 0) umask((mode_t)o->umask_value);
    set_limit(RLIMIT_AS, o->rlimit_as, report_fd);
    set_limit(RLIMIT_NPROC, o->rlimit_nproc, report_fd);
    set_limit(RLIMIT_CPU, o->rlimit_cpu, report_fd);
    // Raw system calls, not glibc's setgid/setuid/setgroups: those broadcast the change to every thread of
    // the process (setxid), and this child shares the parent's memory and its threads' state (CLONE_VM).
    if (o->uid >= 0 || o->gid >= 0) {
        if (syscall(SYS_setgroups, 0, NULL) != 0) child_fail(report_fd, STAGE_USER);
    }
    if (o->gid >= 0 && syscall(SYS_setgid, (gid_t)o->gid) != 0) child_fail(report_fd, STAGE_USER);
    if (o->uid >= 0 && syscall(SYS_setuid, (uid_t)o->uid) != 0) child_fail(report_fd, STAGE_USER);
    int fds[3] = { o->stdin_fd, o->stdout_fd, o->stderr_fd };
    for (int target = 0; target < 3; target++) {
        if (fds[target] == target) {
            int flags = fcntl(target, F_GETFD);
            if (flags >= 0) fcntl(target, F_SETFD, flags & ~FD_CLOEXEC);
        } else if (dup2(fds[target], target) < 0) {
            child_fail(report_fd, STAGE_DUP);
        }
    }
    // The extra descriptor goes to 3 (moving the report pipe out of its way first).
    int first_closed = 3;
    if (o->extra_fd >= 0) {
        if (report_fd == 3) {
            int moved = fcntl(3, F_DUPFD_CLOEXEC, 4);
            if (moved < 0) child_fail(report_fd, STAGE_DUP);
            report_fd = moved;
        }
        if (o->extra_fd == 3) {
            int flags = fcntl(3, F_GETFD);
            if (flags >= 0) fcntl(3, F_SETFD, flags & ~FD_CLOEXEC);
        } else if (dup2(o->extra_fd, 3) < 0) {
            child_fail(report_fd, STAGE_DUP);
        }
        first_closed = 4;
    }
    // Close every other descriptor except the report pipe (close-on-exec closes it at exec): close_range calls
    // on Linux 5.9+, a loop elsewhere.
    int closed = report_fd + 1 > first_closed ? syscall(SYS_close_range, report_fd + 1, ~0U, 0) : -1;
    if (closed == 0 && report_fd > first_closed) closed = syscall(SYS_close_range, first_closed, report_fd - 1, 0);
    for (int fd = first_closed; closed != 0 && fd < 65536; fd++) {
        if (fd != report_fd) {
            if (close(fd) < 0 && errno == EBADF && fd > 1024) break;
        }
    }
    if (o->cwd != NULL && chdir(o->cwd) != 0) child_fail(report_fd, STAGE_CHDIR);
    execve(o->path, o->argv, o->envp);
    child_fail(report_fd, STAGE_EXEC);
}

struct spawn_args {
    const cibox_spawn_options *options;
    int report_fd;
};

static int child_entry(void *argument) {
    struct spawn_args *args = argument;
    child_main(args->options, args->report_fd);
    return 127;
}

int cibox_spawn(const cibox_spawn_options *options, pid_t *pid_out, int *errno_out, int *stage_out) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *errno_out = errno;
        *stage_out = STAGE_PIPE;
        return -1;
    }
    // Like posix_spawn: the child shares the parent's memory (CLONE_VM) on a stack of its own and the parent
    // waits until it has exec'd (CLONE_VFORK). A plain fork() of a large process copies its page tables and
    // makes every page copy-on-write, which was a visible part of starting a job. The child only makes
    // system calls before exec; it has its own copy of the signal handlers (no CLONE_SIGHAND).
    const size_t stack_size = 256 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        *errno_out = errno;
        *stage_out = STAGE_FORK;
        close(report[0]);
        close(report[1]);
        return -1;
    }
    struct spawn_args args = { options, report[1] };
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    pid_t pid = clone(child_entry, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    munmap(stack, stack_size);
    close(report[1]);
    if (pid < 0) {
        *errno_out = clone_errno;
        *stage_out = STAGE_FORK;
        close(report[0]);
        return -1;
    }
    int message[2] = { 0, 0 };
    ssize_t got;
    do { got = read(report[0], message, sizeof message); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof message) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *stage_out = message[0];
        *errno_out = message[1];
        return -1;
    }
    *pid_out = pid;
    return 0;
}

int cibox_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int cibox_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int cibox_waitpid(pid_t pid, int *status_out, int flags) {
    int status = 0;
    pid_t result;
    do { result = waitpid(pid, &status, flags); } while (result < 0 && errno == EINTR);
    *status_out = status;
    return (int)result;
}

int cibox_exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

int cibox_was_signaled(int status) {
    return WIFSIGNALED(status) ? 1 : 0;
}

int cibox_pipe(int fds[2], int nonblocking) {
    return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}

int cibox_wait4(pid_t pid, int *status_out, int flags, double *cpu_seconds_out, long *max_rss_kib_out) {
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    pid_t result;
    do { result = wait4(pid, &status, flags, &usage); } while (result < 0 && errno == EINTR);
    *status_out = status;
    *cpu_seconds_out = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6
        + (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    *max_rss_kib_out = usage.ru_maxrss;
    return (int)result;
}

int cibox_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

int cibox_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, int count) {
    size_t sent = 0;
    int attach = count > 0;
    while (sent < length) {
        struct iovec io = { (char *)bytes + sent, length - sent };
        char control[CMSG_SPACE(sizeof(int) * 8)];
        struct msghdr message;
        memset(&message, 0, sizeof message);
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        if (attach) {
            if (count > 8) { errno = EINVAL; return -1; }
            memset(control, 0, sizeof control);
            message.msg_control = control;
            message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
            struct cmsghdr *header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
            memcpy(CMSG_DATA(header), fds, sizeof(int) * (size_t)count);
        }
        ssize_t written = sendmsg(socket, &message, MSG_NOSIGNAL);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return -1;
        attach = 0;
        sent += (size_t)written;
    }
    return 0;
}

// cibox — CI in a box. MIT licence, see LICENSE.
//
// The job agent's wire format, shared with cibox's Swift side (CIBoxExecutor's AgentProtocol.swift): frames on a
// SOCK_STREAM unix socket, each a header (type, payload length, number of descriptors) then the payload. Descriptors
// travel as SCM_RIGHTS on the header's bytes. Integers are 64-bit little-endian (both ends run on one machine);
// strings are a 32-bit length then the bytes; lists are a 32-bit count then their items.
#ifndef CIBOX_SANDBOX_PROTOCOL_H
#define CIBOX_SANDBOX_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

enum {
    // cibox -> agent
    MSG_SETUP = 1,      // flags, tmp source, scratch, binds [(source, target, flags)], cgroup.procs files [path],
                        // kept paths [path] (folders under /tmp that stay visible at their path over the private
                        // /tmp), guard mode, guard files [path] (v1: the freezer's state file first, "" when none)
    MSG_SPAWN = 2,      // id, uid, gid, groups [gid], cwd, flags, argv [str], envp [str]; fds: stdin, stdout, stderr
    MSG_SIGNAL = 3,     // id, signal
    MSG_SHUTDOWN = 4,   // (none): kill what runs and exit
    // agent -> cibox
    MSG_READY = 101,        // (none)
    MSG_SETUP_FAILED = 102, // stage, errno, detail
    MSG_SPAWNED = 103,      // id, pid
    MSG_SPAWN_FAILED = 104, // id, stage, errno
    MSG_EXITED = 105,       // id, wait status, cpu microseconds, peak rss KiB
};

enum {
    SETUP_NEW_MOUNT_NAMESPACE = 1, // unshare a mount namespace and make the binds below in it
    SETUP_PRIVATE_TMP = 2,         // bind the tmp source at /tmp
};

enum { BIND_READ_ONLY = 1 };

enum { SPAWN_MAKE_DIRECTORY = 1 };

enum { GUARD_NONE = 0, GUARD_CGROUP_KILL = 1, GUARD_CGROUP_PROCS = 2 };

enum { MAX_FRAME = 64 << 20, MAX_FDS = 3 };

/// A received frame.
typedef struct {
    uint32_t type;
    uint32_t length;
    uint8_t *payload;
    int fds[MAX_FDS];
    int fd_count;
} frame;

/// Reads a frame (blocking). Returns 0, or -1 at end of file or on error (errno set; 0 at end of file).
int frame_read(int socket, frame *out);

/// Frees a frame's payload and closes the descriptors it still holds.
void frame_free(frame *f);

/// A payload being read.
typedef struct {
    const uint8_t *bytes;
    size_t length;
    size_t offset;
    int failed;
} reader;

int64_t read_int(reader *r);
/// A pointer into the payload, NUL-terminated in a copy the caller frees.
char *read_string(reader *r);
uint32_t read_count(reader *r);

/// A payload being written.
typedef struct {
    uint8_t *bytes;
    size_t length;
    size_t capacity;
} writer;

void write_int(writer *w, int64_t value);
void write_string(writer *w, const char *text);

/// Sends `type` with the writer's payload (may be NULL) and no descriptors. Returns 0 or -1.
int frame_send(int socket, uint32_t type, writer *w);

#endif

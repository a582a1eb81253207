// cibox — CI in a box. MIT licence, see LICENSE.
#define _GNU_SOURCE
#include "protocol.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// Reads exactly `length` bytes (the payload) unless the peer goes away.
static int read_fully(int socket, uint8_t *buffer, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(socket, buffer + done, length - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        done += (size_t)got;
    }
    return 0;
}

int frame_read(int socket, frame *out) {
    memset(out, 0, sizeof *out);
    for (int i = 0; i < MAX_FDS; i++) out->fds[i] = -1;
    uint32_t header[3];
    size_t done = 0;
    while (done < sizeof header) {
        struct iovec io = { (uint8_t *)header + done, sizeof header - done };
        char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct msghdr message = { 0 };
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        ssize_t got = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = 0;
            return -1;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *fds = (int *)CMSG_DATA(c);
            for (int i = 0; i < count; i++) {
                if (out->fd_count < MAX_FDS) out->fds[out->fd_count++] = fds[i];
                else close(fds[i]);
            }
        }
        done += (size_t)got;
    }
    out->type = header[0];
    out->length = header[1];
    if (out->length > MAX_FRAME) {
        errno = EMSGSIZE;
        return -1;
    }
    out->payload = malloc(out->length + 1);
    if (out->payload == NULL) return -1;
    if (read_fully(socket, out->payload, out->length) != 0) return -1;
    return 0;
}

void frame_free(frame *f) {
    free(f->payload);
    f->payload = NULL;
    for (int i = 0; i < f->fd_count; i++) {
        if (f->fds[i] >= 0) close(f->fds[i]);
        f->fds[i] = -1;
    }
}

int64_t read_int(reader *r) {
    int64_t value = 0;
    if (r->failed || r->offset + sizeof value > r->length) {
        r->failed = 1;
        return 0;
    }
    memcpy(&value, r->bytes + r->offset, sizeof value);
    r->offset += sizeof value;
    return value;
}

uint32_t read_count(reader *r) {
    uint32_t value = 0;
    if (r->failed || r->offset + sizeof value > r->length) {
        r->failed = 1;
        return 0;
    }
    memcpy(&value, r->bytes + r->offset, sizeof value);
    r->offset += sizeof value;
    return value;
}

char *read_string(reader *r) {
    uint32_t length = read_count(r);
    if (r->failed || r->offset + length > r->length) {
        r->failed = 1;
        return NULL;
    }
    char *text = malloc((size_t)length + 1);
    if (text == NULL) {
        r->failed = 1;
        return NULL;
    }
    memcpy(text, r->bytes + r->offset, length);
    text[length] = 0;
    r->offset += length;
    return text;
}

static void reserve(writer *w, size_t more) {
    if (w->length + more <= w->capacity) return;
    size_t capacity = w->capacity ? w->capacity * 2 : 256;
    while (capacity < w->length + more) capacity *= 2;
    uint8_t *grown = realloc(w->bytes, capacity);
    if (grown == NULL) abort();
    w->bytes = grown;
    w->capacity = capacity;
}

void write_int(writer *w, int64_t value) {
    reserve(w, sizeof value);
    memcpy(w->bytes + w->length, &value, sizeof value);
    w->length += sizeof value;
}

void write_string(writer *w, const char *text) {
    uint32_t length = (uint32_t)strlen(text);
    reserve(w, sizeof length + length);
    memcpy(w->bytes + w->length, &length, sizeof length);
    memcpy(w->bytes + w->length + sizeof length, text, length);
    w->length += sizeof length + length;
}

int frame_send(int socket, uint32_t type, writer *w) {
    uint32_t header[3] = { type, w ? (uint32_t)w->length : 0, 0 };
    struct iovec io[2] = { { header, sizeof header }, { w ? w->bytes : NULL, w ? w->length : 0 } };
    size_t total = sizeof header + (w ? w->length : 0);
    size_t sent = 0;
    while (sent < total) {
        // Skip what was sent already across the two parts.
        struct iovec parts[2];
        int count = 0;
        size_t skip = sent;
        for (int i = 0; i < 2; i++) {
            if (skip >= io[i].iov_len) {
                skip -= io[i].iov_len;
                continue;
            }
            parts[count].iov_base = (uint8_t *)io[i].iov_base + skip;
            parts[count].iov_len = io[i].iov_len - skip;
            skip = 0;
            count++;
        }
        struct msghdr message = { 0 };
        message.msg_iov = parts;
        message.msg_iovlen = (size_t)count;
        ssize_t written = sendmsg(socket, &message, MSG_NOSIGNAL);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return -1;
        sent += (size_t)written;
    }
    return 0;
}

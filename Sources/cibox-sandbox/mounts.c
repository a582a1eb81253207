// cibox — CI in a box. MIT licence, see LICENSE.
//
// The job's own mount namespace on this machine: /tmp is the job's folder, and an absolute working directory that
// does not exist here is made inside a tmpfs that shadows its nearest existing ancestor, so nothing is ever written
// to the host's folders and nothing is left behind: the namespace, and every mount in it, ends with its last process.
#define _GNU_SOURCE
#include "sandbox.h"
#include "protocol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/// Devices of the tmpfs mounts this agent made: folders on them may be written, the host's may not.
static dev_t own_devices[64];
static size_t own_device_count = 0;

static int fail(failure *out, const char *stage, const char *detail) {
    out->stage = stage;
    out->error = errno;
    snprintf(out->detail, sizeof out->detail, "%s", detail ? detail : "");
    return -1;
}

static int is_own(const char *path) {
    struct stat info;
    if (stat(path, &info) != 0) return 0;
    for (size_t i = 0; i < own_device_count; i++) {
        if (own_devices[i] == info.st_dev) return 1;
    }
    return 0;
}

// The nearest existing ancestor of `path` (which is missing), written into `ancestor`.
static void existing_ancestor(const char *path, char *ancestor, size_t size) {
    snprintf(ancestor, size, "%s", path);
    for (;;) {
        char *slash = strrchr(ancestor, '/');
        if (slash == NULL || slash == ancestor) {
            snprintf(ancestor, size, "/");
            return;
        }
        *slash = 0;
        struct stat info;
        if (lstat(ancestor, &info) == 0) return;
    }
}

// Creates `path` and its missing parents, all inside folders this agent owns.
static int make_folders(const char *path, failure *out) {
    char partial[4096];
    size_t length = strlen(path);
    if (length >= sizeof partial) {
        errno = ENAMETOOLONG;
        return fail(out, "mkdir", path);
    }
    for (size_t i = 1; i <= length; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        memcpy(partial, path, i);
        partial[i] = 0;
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) return fail(out, "mkdir", partial);
    }
    return 0;
}

// Shadows `folder` with a tmpfs holding a copy of each of its entries (folders and files bound from the original,
// links recreated), so new entries can be made in it. For "/", the tmpfs becomes the namespace's root.
static int shadow(const char *folder, const char *scratch, failure *out) {
    DIR *listing = opendir(folder);
    if (listing == NULL) return fail(out, "opendir", folder);
    // Detached copies of every entry, taken before the tmpfs exists, so none of them holds the tmpfs itself.
    typedef struct { char name[256]; int tree; int is_folder; char link[4096]; } entry;
    size_t capacity = 64, count = 0;
    entry *entries = calloc(capacity, sizeof(entry));
    struct dirent *item;
    while (entries != NULL && (item = readdir(listing)) != NULL) {
        if (strcmp(item->d_name, ".") == 0 || strcmp(item->d_name, "..") == 0) continue;
        if (count == capacity) {
            capacity *= 2;
            entries = realloc(entries, capacity * sizeof(entry));
            if (entries == NULL) break;
        }
        entry *e = &entries[count];
        memset(e, 0, sizeof *e);
        snprintf(e->name, sizeof e->name, "%s", item->d_name);
        e->tree = -1;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", strcmp(folder, "/") == 0 ? "" : folder, item->d_name);
        struct stat info;
        if (lstat(path, &info) != 0) continue;
        if (S_ISLNK(info.st_mode)) {
            ssize_t n = readlink(path, e->link, sizeof e->link - 1);
            if (n < 0) continue;
            e->link[n] = 0;
        } else {
            e->is_folder = S_ISDIR(info.st_mode);
            e->tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
            if (e->tree < 0) {
                closedir(listing);
                free(entries);
                return fail(out, "open_tree", path);
            }
        }
        count++;
    }
    closedir(listing);
    if (entries == NULL) {
        errno = ENOMEM;
        return fail(out, "shadow", folder);
    }
    struct stat original;
    int status = 0;
    if (stat(folder, &original) != 0) status = fail(out, "stat", folder);
    if (status == 0 && mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
        status = fail(out, "mount tmpfs", scratch);
    }
    for (size_t i = 0; status == 0 && i < count; i++) {
        entry *e = &entries[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", scratch, e->name);
        if (e->tree < 0) {
            if (e->link[0] && symlink(e->link, path) != 0) status = fail(out, "symlink", path);
            continue;
        }
        int made = e->is_folder ? mkdir(path, 0755) : open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (made < 0) {
            status = fail(out, "mkdir", path);
            break;
        }
        if (!e->is_folder) close(made);
        if (syscall(SYS_move_mount, e->tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            status = fail(out, "move_mount", path);
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (entries[i].tree >= 0) close(entries[i].tree);
    }
    free(entries);
    if (status != 0) return status;
    if (chmod(scratch, original.st_mode & 07777) != 0 || chown(scratch, original.st_uid, original.st_gid) != 0) {
        return fail(out, "chmod", scratch);
    }
    struct stat made;
    if (stat(scratch, &made) == 0 && own_device_count < 64) own_devices[own_device_count++] = made.st_dev;
    if (strcmp(folder, "/") != 0) {
        if (mount(scratch, folder, NULL, MS_MOVE, NULL) != 0) return fail(out, "move", folder);
        return 0;
    }
    // The tmpfs becomes the root: pivot into it and let the old root go.
    char old_root[4096];
    snprintf(old_root, sizeof old_root, "%s/.cibox-old-root", scratch);
    if (mkdir(old_root, 0700) != 0) return fail(out, "mkdir", old_root);
    if (syscall(SYS_pivot_root, scratch, old_root) != 0) return fail(out, "pivot_root", scratch);
    if (chdir("/") != 0) return fail(out, "chdir", "/");
    if (umount2("/.cibox-old-root", MNT_DETACH) != 0) return fail(out, "umount", "/.cibox-old-root");
    rmdir("/.cibox-old-root");
    return 0;
}

// Binds `source` at `target`, making `target` first (in a shadow of its nearest existing ancestor when it is
// missing, never in the host's folders).
static int bind_at(const bind_mount *bind, const char *scratch, failure *out) {
    struct stat info;
    if (lstat(bind->target, &info) != 0) {
        char ancestor[4096];
        existing_ancestor(bind->target, ancestor, sizeof ancestor);
        if (!is_own(ancestor) && shadow(ancestor, scratch, out) != 0) return -1;
        if (make_folders(bind->target, out) != 0) return -1;
    } else if (!S_ISDIR(info.st_mode)) {
        errno = ENOTDIR;
        return fail(out, "bind", bind->target);
    }
    if (mount(bind->source, bind->target, NULL, MS_BIND | MS_REC, NULL) != 0) return fail(out, "bind", bind->target);
    if (bind->flags & BIND_READ_ONLY) {
        if (mount(NULL, bind->target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
            return fail(out, "remount read-only", bind->target);
        }
    }
    return 0;
}

// Whether `path` is /tmp or inside it.
static int under_tmp(const char *path) {
    return strcmp(path, "/tmp") == 0 || strncmp(path, "/tmp/", 5) == 0;
}

// Binds the job's folder at /tmp; folders of the job's (and cibox's) that live under /tmp stay visible at their
// paths, copied before /tmp is covered and put back inside the job's /tmp.
static int private_tmp(const setup_request *request, failure *out) {
    size_t count = 0;
    while (request->keep[count] != NULL) count++;
    int *trees = calloc(count + 1, sizeof(int));
    if (trees == NULL) {
        errno = ENOMEM;
        return fail(out, "keep", "/tmp");
    }
    int status = 0;
    for (size_t i = 0; i < count; i++) {
        trees[i] = -1;
        if (!under_tmp(request->keep[i])) continue;
        trees[i] = (int)syscall(SYS_open_tree, AT_FDCWD, request->keep[i], OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
        if (trees[i] < 0) {
            status = fail(out, "open_tree", request->keep[i]);
            break;
        }
    }
    if (status == 0 && mount(request->tmp_source, "/tmp", NULL, MS_BIND, NULL) != 0) status = fail(out, "bind", "/tmp");
    for (size_t i = 0; status == 0 && i < count; i++) {
        if (trees[i] < 0) continue;
        if (make_folders(request->keep[i], out) != 0) {
            status = -1;
            break;
        }
        if (syscall(SYS_move_mount, trees[i], "", AT_FDCWD, request->keep[i], MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            status = fail(out, "move_mount", request->keep[i]);
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (trees[i] >= 0) close(trees[i]);
    }
    free(trees);
    return status;
}

// Writes `text` to `path` (the id maps of a user namespace).
static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t written = write(fd, text, strlen(text));
    close(fd);
    return written == (ssize_t)strlen(text) ? 0 : -1;
}

// Without root: a user namespace of the agent's own in which the job's user is itself (no id changes), which lets
// the agent make the job's mount namespace; the job's processes keep no privilege (they exec as that user).
static int own_user_namespace(failure *out) {
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return fail(out, "unshare", "a user and mount namespace");
    char map[64];
    if (write_text("/proc/self/setgroups", "deny") != 0) return fail(out, "write", "/proc/self/setgroups");
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (write_text("/proc/self/uid_map", map) != 0) return fail(out, "write", "/proc/self/uid_map");
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (write_text("/proc/self/gid_map", map) != 0) return fail(out, "write", "/proc/self/gid_map");
    return 0;
}

int setup_mounts(const setup_request *request, failure *out) {
    if (!(request->flags & SETUP_NEW_MOUNT_NAMESPACE)) return 0;
    if (geteuid() == 0) {
        if (unshare(CLONE_NEWNS) != 0) return fail(out, "unshare", "a mount namespace");
    } else if (own_user_namespace(out) != 0) {
        return -1;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail(out, "make private", "/");
    // The binds first, so that their sources may be anywhere on this machine; then the job's own /tmp.
    for (size_t i = 0; i < request->bind_count; i++) {
        if (bind_at(&request->binds[i], request->scratch, out) != 0) return -1;
    }
    if ((request->flags & SETUP_PRIVATE_TMP) && request->tmp_source != NULL) return private_tmp(request, out);
    return 0;
}

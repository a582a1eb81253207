// cibox — see LICENSE (MIT).
// The start of a loose git object, inflated with zlib loaded on first use (see clibgit2.h).

#include "clibgit2.h"
#include "cibox_lazy_library.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CIBOX_ZLIB "libz.so.1"
#define CIBOX_ZLIB_PACKAGE "zlib1g"

long cibox_git_loose_object_prefix(const char *path, unsigned char *out, size_t capacity) {
    // Named differently from zlib's own functions: cibox exports its symbols, and libgit2 and libarchive must
    // keep binding to zlib itself.
    static int (*init)(z_streamp, const char *, int);
    static int (*step)(z_streamp, int);
    static int (*end)(z_streamp);
    if (__atomic_load_n(&end, __ATOMIC_ACQUIRE) == NULL) {
        init = (int (*)(z_streamp, const char *, int))cibox_lazy_symbol(CIBOX_ZLIB, CIBOX_ZLIB_PACKAGE, "inflateInit_");
        step = (int (*)(z_streamp, int))cibox_lazy_symbol(CIBOX_ZLIB, CIBOX_ZLIB_PACKAGE, "inflate");
        __atomic_store_n(&end, (int (*)(z_streamp))cibox_lazy_symbol(CIBOX_ZLIB, CIBOX_ZLIB_PACKAGE, "inflateEnd"),
                         __ATOMIC_RELEASE);
    }
    int file = open(path, O_RDONLY | O_CLOEXEC);
    if (file < 0) return -1;
    unsigned char input[4096];
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (init(&stream, ZLIB_VERSION, (int)sizeof stream) != Z_OK) {
        close(file);
        return -1;
    }
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    int status = Z_OK;
    while (stream.avail_out > 0 && status == Z_OK) {
        ssize_t count = read(file, input, sizeof input);
        if (count <= 0) break;
        stream.next_in = input;
        stream.avail_in = (uInt)count;
        while (stream.avail_in > 0 && stream.avail_out > 0 && status == Z_OK) status = step(&stream, Z_NO_FLUSH);
    }
    long produced = (long)(capacity - stream.avail_out);
    end(&stream);
    close(file);
    return status == Z_OK || status == Z_STREAM_END ? produced : -1;
}

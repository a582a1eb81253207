// cibox — see LICENSE (MIT).
// Each libarchive function cibox calls, forwarded to libarchive loaded on first use (see clibarchive.h).

#include "clibarchive.h"

#include "cibox_lazy_library.h"

#define CIBOX_FORWARD(result, name, parameters, arguments)                                                   \
    CIBOX_LAZY_FORWARD("libarchive.so.13", "libarchive13", result, name, parameters, arguments)
#define CIBOX_FORWARD_VOID(name, parameters, arguments)                                                      \
    CIBOX_LAZY_FORWARD_VOID("libarchive.so.13", "libarchive13", name, parameters, arguments)

// Entries.
CIBOX_FORWARD(struct archive_entry *, archive_entry_new, (void), ())
CIBOX_FORWARD(struct archive_entry *, archive_entry_clear, (struct archive_entry *e), (e))
CIBOX_FORWARD_VOID(archive_entry_free, (struct archive_entry *e), (e))
CIBOX_FORWARD_VOID(archive_entry_copy_hardlink, (struct archive_entry *e, const char *p), (e, p))
CIBOX_FORWARD_VOID(archive_entry_copy_pathname, (struct archive_entry *e, const char *p), (e, p))
CIBOX_FORWARD_VOID(archive_entry_copy_symlink, (struct archive_entry *e, const char *p), (e, p))
CIBOX_FORWARD(const char *, archive_entry_hardlink, (struct archive_entry *e), (e))
CIBOX_FORWARD(const char *, archive_entry_pathname, (struct archive_entry *e), (e))
CIBOX_FORWARD(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e))
CIBOX_FORWARD_VOID(archive_entry_set_filetype, (struct archive_entry *e, unsigned int t), (e, t))
CIBOX_FORWARD_VOID(archive_entry_set_mtime, (struct archive_entry *e, time_t s, long n), (e, s, n))
CIBOX_FORWARD_VOID(archive_entry_set_perm, (struct archive_entry *e, __LA_MODE_T m), (e, m))
CIBOX_FORWARD_VOID(archive_entry_set_size, (struct archive_entry *e, la_int64_t s), (e, s))
CIBOX_FORWARD(la_int64_t, archive_entry_size, (struct archive_entry *e), (e))

// Errors.
CIBOX_FORWARD(const char *, archive_error_string, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_errno, (struct archive *a), (a))

// Reading archives and folders.
CIBOX_FORWARD(struct archive *, archive_read_new, (void), ())
CIBOX_FORWARD(struct archive *, archive_read_disk_new, (void), ())
CIBOX_FORWARD(int, archive_read_close, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_read_free, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_read_data_block,
              (struct archive *a, const void **buffer, size_t *size, la_int64_t *offset), (a, buffer, size, offset))
CIBOX_FORWARD(int, archive_read_disk_descend, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_read_disk_open, (struct archive *a, const char *p), (a, p))
CIBOX_FORWARD(int, archive_read_disk_set_behavior, (struct archive *a, int f), (a, f))
CIBOX_FORWARD(int, archive_read_disk_set_symlink_physical, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e))
CIBOX_FORWARD(int, archive_read_next_header2, (struct archive *a, struct archive_entry *e), (a, e))
CIBOX_FORWARD(int, archive_read_open_filename, (struct archive *a, const char *f, size_t b), (a, f, b))
CIBOX_FORWARD(int, archive_read_open_fd, (struct archive *a, int fd, size_t b), (a, fd, b))
CIBOX_FORWARD(int, archive_read_support_filter_all, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_read_support_format_tar, (struct archive *a), (a))

// Writing archives and folders.
CIBOX_FORWARD(struct archive *, archive_write_new, (void), ())
CIBOX_FORWARD(struct archive *, archive_write_disk_new, (void), ())
CIBOX_FORWARD(int, archive_write_add_filter_zstd, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_write_close, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_write_open_fd, (struct archive *a, int fd), (a, fd))
CIBOX_FORWARD(int, archive_write_free, (struct archive *a), (a))
CIBOX_FORWARD(la_ssize_t, archive_write_data, (struct archive *a, const void *d, size_t s), (a, d, s))
CIBOX_FORWARD(la_ssize_t, archive_write_data_block, (struct archive *a, const void *d, size_t s, la_int64_t o),
              (a, d, s, o))
CIBOX_FORWARD(int, archive_write_disk_set_options, (struct archive *a, int f), (a, f))
CIBOX_FORWARD(int, archive_write_finish_entry, (struct archive *a), (a))
CIBOX_FORWARD(int, archive_write_header, (struct archive *a, struct archive_entry *e), (a, e))
CIBOX_FORWARD(int, archive_write_open_filename, (struct archive *a, const char *f), (a, f))
CIBOX_FORWARD(int, archive_write_set_bytes_in_last_block, (struct archive *a, int b), (a, b))
CIBOX_FORWARD(int, archive_write_set_filter_option, (struct archive *a, const char *m, const char *o, const char *v),
              (a, m, o, v))
CIBOX_FORWARD(int, archive_write_set_format_pax_restricted, (struct archive *a), (a))

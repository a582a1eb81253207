// cibox — see LICENSE (MIT).
// libgit2 for CIBoxGit, loaded on first use (why and how: CLazyLibrary's cibox_lazy_library.h). loader.c
// defines each libgit2 function cibox calls, and the helpers below for what Swift cannot call (the variadic
// git_libgit2_opts), each prefixed `cibox_git_`.
#ifndef CIBOX_CLIBGIT2_H
#define CIBOX_CLIBGIT2_H

#include <git2.h>

/// Turns libgit2's repository owner check on or off (git_libgit2_opts is variadic; Swift cannot call it).
int cibox_git_set_owner_validation(int enabled);

/// Declares repository extensions libgit2 1.5 should accept (for example "worktreeconfig").
int cibox_git_set_extensions(const char **extensions, size_t count);

/// Inflates the start of the loose object file at `path` into `out` (at most `capacity` bytes): the number
/// of bytes written, or -1 when the file cannot be read or is not zlib data. zlib is loaded on first use.
long cibox_git_loose_object_prefix(const char *path, unsigned char *out, size_t capacity);

#endif

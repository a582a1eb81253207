// cibox — see LICENSE (MIT).
// Imports libgit2 for CIBoxGit. Only `static inline` helpers for what Swift cannot import
// (variadic git_libgit2_opts, macros) live here, each prefixed `cibox_git_`.
#ifndef CIBOX_CLIBGIT2_SHIM_H
#define CIBOX_CLIBGIT2_SHIM_H

#include <git2.h>

/// git_libgit2_opts is variadic; Swift cannot call it. Turns libgit2's repository owner check on or off.
static inline int cibox_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

/// Declares repository extensions libgit2 1.5 should accept (for example "worktreeconfig").
static inline int cibox_git_set_extensions(const char **extensions, size_t count) {
    return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, count);
}

#endif

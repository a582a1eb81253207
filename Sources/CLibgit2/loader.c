// cibox — see LICENSE (MIT).
// Each libgit2 function cibox calls, forwarded to libgit2 loaded on first use (see clibgit2.h).

#include "clibgit2.h"
#include "cibox_lazy_library.h"

#define CIBOX_LIBGIT2 "libgit2.so." LIBGIT2_SOVERSION
#define CIBOX_LIBGIT2_PACKAGE "libgit2-" LIBGIT2_SOVERSION
#define CIBOX_FORWARD(result, name, parameters, arguments)                                                   \
    CIBOX_LAZY_FORWARD(CIBOX_LIBGIT2, CIBOX_LIBGIT2_PACKAGE, result, name, parameters, arguments)
#define CIBOX_FORWARD_VOID(name, parameters, arguments)                                                      \
    CIBOX_LAZY_FORWARD_VOID(CIBOX_LIBGIT2, CIBOX_LIBGIT2_PACKAGE, name, parameters, arguments)

int cibox_git_set_owner_validation(int enabled) {
    int (*options)(int, ...) = (int (*)(int, ...))cibox_lazy_symbol(CIBOX_LIBGIT2, CIBOX_LIBGIT2_PACKAGE, "git_libgit2_opts");
    return options(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

int cibox_git_set_extensions(const char **extensions, size_t count) {
    int (*options)(int, ...) = (int (*)(int, ...))cibox_lazy_symbol(CIBOX_LIBGIT2, CIBOX_LIBGIT2_PACKAGE, "git_libgit2_opts");
    return options(GIT_OPT_SET_EXTENSIONS, extensions, count);
}

CIBOX_FORWARD_VOID(git_blob_free, (git_blob *blob), (blob))
CIBOX_FORWARD(int, git_blob_lookup, (git_blob **blob, git_repository *repo, const git_oid *id), (blob, repo, id))
CIBOX_FORWARD(const void *, git_blob_rawcontent, (const git_blob *blob), (blob))
CIBOX_FORWARD(git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob))
CIBOX_FORWARD(int, git_branch_create, (git_reference **out, git_repository *repo, const char *branch_name, const git_commit *target, int force), (out, repo, branch_name, target, force))
CIBOX_FORWARD_VOID(git_buf_dispose, (git_buf *buffer), (buffer))
CIBOX_FORWARD(int, git_checkout_options_init, (git_checkout_options *opts, unsigned int version), (opts, version))
CIBOX_FORWARD(int, git_checkout_tree, (git_repository *repo, const git_object *treeish, const git_checkout_options *opts), (repo, treeish, opts))
CIBOX_FORWARD(const git_signature *, git_commit_author, (const git_commit *commit), (commit))
CIBOX_FORWARD_VOID(git_commit_free, (git_commit *commit), (commit))
CIBOX_FORWARD(const git_oid *, git_commit_id, (const git_commit *commit), (commit))
CIBOX_FORWARD(int, git_commit_lookup, (git_commit **commit, git_repository *repo, const git_oid *id), (commit, repo, id))
CIBOX_FORWARD(const char *, git_commit_summary, (git_commit *commit), (commit))
CIBOX_FORWARD(int, git_commit_tree, (git_tree **tree_out, const git_commit *commit), (tree_out, commit))
CIBOX_FORWARD(const git_oid *, git_commit_tree_id, (const git_commit *commit), (commit))
CIBOX_FORWARD_VOID(git_config_free, (git_config *cfg), (cfg))
CIBOX_FORWARD(int, git_config_get_string, (const char **out, const git_config *cfg, const char *name), (out, cfg, name))
CIBOX_FORWARD_VOID(git_diff_free, (git_diff *diff), (diff))
CIBOX_FORWARD(const git_diff_delta *, git_diff_get_delta, (const git_diff *diff, size_t idx), (diff, idx))
CIBOX_FORWARD(size_t, git_diff_num_deltas, (const git_diff *diff), (diff))
CIBOX_FORWARD(int, git_diff_tree_to_tree, (git_diff **diff, git_repository *repo, git_tree *old_tree, git_tree *new_tree, const git_diff_options *opts), (diff, repo, old_tree, new_tree, opts))
CIBOX_FORWARD(const git_error *, git_error_last, (void), ())
CIBOX_FORWARD(int, git_libgit2_init, (void), ())
CIBOX_FORWARD(int, git_merge_base, (git_oid *out, git_repository *repo, const git_oid *one, const git_oid *two), (out, repo, one, two))
CIBOX_FORWARD_VOID(git_object_free, (git_object *object), (object))
CIBOX_FORWARD(const git_oid *, git_object_id, (const git_object *obj), (obj))
CIBOX_FORWARD(int, git_object_peel, (git_object **peeled, const git_object *object, git_object_t target_type), (peeled, object, target_type))
CIBOX_FORWARD(int, git_oid_fromstr, (git_oid *out, const char *str), (out, str))
CIBOX_FORWARD(char *, git_oid_tostr, (char *out, size_t n, const git_oid *id), (out, n, id))
CIBOX_FORWARD(int, git_reference_dwim, (git_reference **out, git_repository *repo, const char *shorthand), (out, repo, shorthand))
CIBOX_FORWARD_VOID(git_reference_free, (git_reference *ref), (ref))
CIBOX_FORWARD_VOID(git_reference_iterator_free, (git_reference_iterator *iter), (iter))
CIBOX_FORWARD(int, git_reference_iterator_new, (git_reference_iterator **out, git_repository *repo), (out, repo))
CIBOX_FORWARD(int, git_reference_lookup, (git_reference **out, git_repository *repo, const char *name), (out, repo, name))
CIBOX_FORWARD(const char *, git_reference_name, (const git_reference *ref), (ref))
CIBOX_FORWARD(int, git_reference_next, (git_reference **out, git_reference_iterator *iter), (out, iter))
CIBOX_FORWARD(int, git_reference_peel, (git_object **out, const git_reference *ref, git_object_t type), (out, ref, type))
CIBOX_FORWARD(const char *, git_reference_symbolic_target, (const git_reference *ref), (ref))
CIBOX_FORWARD(git_reference_t, git_reference_type, (const git_reference *ref), (ref))
CIBOX_FORWARD(int, git_remote_create, (git_remote **out, git_repository *repo, const char *name, const char *url), (out, repo, name, url))
CIBOX_FORWARD_VOID(git_remote_free, (git_remote *remote), (remote))
CIBOX_FORWARD(const char *, git_repository_commondir, (const git_repository *repo), (repo))
CIBOX_FORWARD(int, git_repository_config_snapshot, (git_config **out, git_repository *repo), (out, repo))
CIBOX_FORWARD(int, git_repository_discover, (git_buf *out, const char *start_path, int across_fs, const char *ceiling_dirs), (out, start_path, across_fs, ceiling_dirs))
CIBOX_FORWARD_VOID(git_repository_free, (git_repository *repo), (repo))
CIBOX_FORWARD(int, git_repository_head_unborn, (git_repository *repo), (repo))
CIBOX_FORWARD(int, git_reference_create, (git_reference **out, git_repository *repo, const char *name, const git_oid *id, int force, const char *log_message), (out, repo, name, id, force, log_message))
CIBOX_FORWARD(int, git_reference_name_is_valid, (int *valid, const char *refname), (valid, refname))
CIBOX_FORWARD(int, git_repository_init_ext, (git_repository **out, const char *repo_path, git_repository_init_options *opts), (out, repo_path, opts))
CIBOX_FORWARD(int, git_repository_init_options_init, (git_repository_init_options *opts, unsigned int version), (opts, version))
CIBOX_FORWARD(int, git_repository_is_bare, (const git_repository *repo), (repo))
CIBOX_FORWARD(int, git_repository_item_path, (git_buf *out, const git_repository *repo, git_repository_item_t item), (out, repo, item))
CIBOX_FORWARD(int, git_repository_open, (git_repository **out, const char *path), (out, path))
CIBOX_FORWARD(int, git_repository_open_ext, (git_repository **out, const char *path, unsigned int flags, const char *ceiling_dirs), (out, path, flags, ceiling_dirs))
CIBOX_FORWARD(const char *, git_repository_path, (const git_repository *repo), (repo))
CIBOX_FORWARD(int, git_repository_set_head, (git_repository *repo, const char *refname), (repo, refname))
CIBOX_FORWARD(int, git_repository_set_head_detached, (git_repository *repo, const git_oid *committish), (repo, committish))
CIBOX_FORWARD(const char *, git_repository_workdir, (const git_repository *repo), (repo))
CIBOX_FORWARD(int, git_revparse_single, (git_object **out, git_repository *repo, const char *spec), (out, repo, spec))
CIBOX_FORWARD(const git_status_entry *, git_status_byindex, (git_status_list *statuslist, size_t idx), (statuslist, idx))
CIBOX_FORWARD(size_t, git_status_list_entrycount, (git_status_list *statuslist), (statuslist))
CIBOX_FORWARD_VOID(git_status_list_free, (git_status_list *statuslist), (statuslist))
CIBOX_FORWARD(int, git_status_list_new, (git_status_list **out, git_repository *repo, const git_status_options *opts), (out, repo, opts))
CIBOX_FORWARD(int, git_status_options_init, (git_status_options *opts, unsigned int version), (opts, version))
CIBOX_FORWARD(int, git_tree_entry_bypath, (git_tree_entry **out, const git_tree *root, const char *path), (out, root, path))
CIBOX_FORWARD_VOID(git_tree_entry_free, (git_tree_entry *entry), (entry))
CIBOX_FORWARD(const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry))
CIBOX_FORWARD(git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry))
CIBOX_FORWARD_VOID(git_tree_free, (git_tree *tree), (tree))
CIBOX_FORWARD(int, git_tree_lookup, (git_tree **out, git_repository *repo, const git_oid *id), (out, repo, id))
CIBOX_FORWARD(size_t, git_tree_entrycount, (const git_tree *tree), (tree))
CIBOX_FORWARD(const git_tree_entry *, git_tree_entry_byindex, (const git_tree *tree, size_t idx), (tree, idx))
CIBOX_FORWARD(const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry))

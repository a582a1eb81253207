// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2

extension GitRepository {
    /// Checks out HEAD's commit into `directory`, then overlays the work tree's uncommitted state.
    ///
    /// Modified, staged and untracked (not ignored) files are copied from the work tree, keeping their mode
    /// and symlinks; deleted files are removed. The result is what `git status` sees in the work tree, on top of
    /// a repository whose HEAD is this repository's HEAD commit (and branch). Ignored files, untracked nested
    /// repositories and submodules are not copied. This repository is only read (its index is not refreshed).
    ///
    /// - Parameter directory: an absolute path that does not exist yet or is an empty folder.
    /// - Throws: `GitError` `.invalidArgument` for a bare repository, a repository without commits, or a bad
    ///   `directory`; `.checkoutFailed` when a file cannot be copied; see `checkout(_:into:branch:)`.
    package func checkoutWorkingTree(into directory: String) throws(GitError) {
        guard let workingDirectory else {
            throw GitError(
                .invalidArgument,
                "Cannot use the work tree of '\(gitDirectory)': it is a bare repository, which has no work tree. "
                    + "Pick a branch, tag or commit instead.")
        }
        guard git_repository_head_unborn(handle) == 0 else {
            throw GitError(
                .invalidArgument,
                "Cannot use the work tree of '\(workingDirectory)': the repository has no commit yet. "
                    + "Commit once, then run cibox again.")
        }
        let target = try CheckoutTarget(directory)
        let head = try resolve("HEAD")
        let changed = try changedPaths()
        do {
            try materialize(head.commit, into: target.path, branch: head.branch)
            try WorkTreeOverlay(source: workingDirectory, destination: target.path).apply(changed)
        } catch {
            target.removeWrittenFiles()
            throw error
        }
    }

    /// Every path `git status` reports (staged, unstaged, untracked; not ignored), old and new names of renames.
    private func changedPaths() throws(GitError) -> Set<String> {
        let what = "Cannot read the status of the work tree '\(locationForClones)'"
        var options = git_status_options()
        try check(
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init",
            .libgit2, what)
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags =
            GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var list: OpaquePointer?
        try check(git_status_list_new(&list, handle, &options), "git_status_list_new", .libgit2, what)
        defer { git_status_list_free(list) }
        var paths: Set<String> = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index) else { continue }
            for delta in [entry.pointee.head_to_index, entry.pointee.index_to_workdir] {
                guard let delta else { continue }
                for path in [delta.pointee.old_file.path, delta.pointee.new_file.path] {
                    if let path { paths.insert(String(cString: path)) }
                }
            }
        }
        return paths
    }
}

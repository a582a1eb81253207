// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2

extension GitRepository {
    /// The paths that differ between the merge base of `base` and `head`, and `head` (what a branch
    /// changed since it left `base`, as `git diff base...head --name-only` lists it).
    ///
    /// - Parameters:
    ///   - base: a revision (`main`, a sha); when it has no common ancestor with `head`, `head`'s own
    ///     whole tree counts as changed.
    ///   - head: the commit to compare.
    /// - Returns: changed paths (both sides of renames), sorted, without duplicates.
    /// - Throws: `GitError` `.revisionNotFound` when a revision does not resolve; `.libgit2` otherwise.
    package func changedPaths(since base: String, to head: GitCommit) throws(GitError) -> [String] {
        let baseCommit = try resolve(base).commit
        var headOID = try GitOID.parse(head.sha)
        var baseOID = try GitOID.parse(baseCommit.sha)
        var mergeBase = git_oid()
        let status = git_merge_base(&mergeBase, handle, &headOID, &baseOID)
        var oldTree: OpaquePointer?
        if status == 0 {
            var commit: OpaquePointer?
            try check(
                git_commit_lookup(&commit, handle, &mergeBase), "git_commit_lookup", .libgit2,
                "Cannot read the merge base")
            defer { git_commit_free(commit) }
            try check(
                git_commit_tree(&oldTree, commit), "git_commit_tree", .libgit2, "Cannot read the merge base's tree")
        } else if status != GIT_ENOTFOUND.rawValue {
            try check(status, "git_merge_base", .libgit2, "Cannot find the merge base of '\(base)' and \(head.sha)")
        }
        defer { git_tree_free(oldTree) }
        var headTreeOID = try GitOID.parse(head.treeID)
        var newTree: OpaquePointer?
        try check(
            git_tree_lookup(&newTree, handle, &headTreeOID), "git_tree_lookup", .revisionNotFound,
            "Cannot read \(head.sha)")
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try check(
            git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), "git_diff_tree_to_tree", .libgit2,
            "Cannot compare '\(base)' with \(head.sha)"
        )
        defer { git_diff_free(diff) }
        var paths = Set<String>()
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index) else { continue }
            if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }
}

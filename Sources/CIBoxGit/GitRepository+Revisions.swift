// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2

extension GitRepository {
    /// Resolves a revision to a commit, and says which branch or tag it names.
    ///
    /// Accepts HEAD, a branch (`main` or `refs/heads/main`), a tag (lightweight or annotated, peeled to its
    /// commit), a short or full sha, or any revspec `git_revparse_single` accepts (`main~2`, `v1^{commit}`).
    ///
    /// - Parameter revision: the revision as the user wrote it.
    /// - Returns: the commit, plus `branch` when the revision names a branch (or is HEAD while HEAD is on a
    ///   branch) and `tag` when it names a tag.
    /// - Throws: `GitError` `.revisionNotFound` quoting `revision` when it names no commit.
    package func resolve(_ revision: String) throws(GitError) -> ResolvedRevision {
        let what =
            "Revision '\(revision)' not found in repository '\(locationForClones)'"
            + " (use a branch, a tag, or a sha of a commit in it)"
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, revision), "git_revparse_single", .revisionNotFound, what)
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel", .revisionNotFound, what)
        defer { git_object_free(commit) }
        guard let commit else { throw GitError(.revisionNotFound, what + ".") }
        var resolved = ResolvedRevision(commit: GitCommit(handle: commit))
        if let referenceName = referenceName(named: revision) {
            if referenceName == "HEAD" {
                resolved.branch = headBranch()
            } else {
                resolved.branch = RefName.branch(of: referenceName)
                resolved.tag = RefName.tag(of: referenceName)
            }
        }
        return resolved
    }

    /// All branches and tags (`refs/heads/…`, `refs/tags/…`) with the commit sha each points to, tags peeled.
    ///
    /// References that do not lead to a commit (a tag of a tree or blob, a dangling symbolic ref) are left out.
    ///
    /// - Returns: full reference name → 40-hex commit sha.
    /// - Throws: `GitError` `.libgit2` when the references cannot be read.
    package func references() throws(GitError) -> [String: String] {
        let what = "Cannot list the references of repository '\(locationForClones)'"
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, handle), "git_reference_iterator_new", .libgit2, what)
        defer { git_reference_iterator_free(iterator) }
        var result: [String: String] = [:]
        while true {
            var reference: OpaquePointer?
            let status = git_reference_next(&reference, iterator)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "git_reference_next", .libgit2, what)
            defer { git_reference_free(reference) }
            guard let name = git_reference_name(reference).map({ String(cString: $0) }),
                RefName.isBranchOrTag(name)
            else { continue }
            var commit: OpaquePointer?
            guard git_reference_peel(&commit, reference, GIT_OBJECT_COMMIT) == 0 else { continue }
            defer { git_object_free(commit) }
            result[name] = GitOID.string(git_object_id(commit))
        }
        return result
    }

    /// The full name of the reference `revision` names ("HEAD", "refs/heads/main", …), or nil for other revspecs.
    private func referenceName(named revision: String) -> String? {
        var reference: OpaquePointer?
        guard git_reference_dwim(&reference, handle, revision) == 0, let reference else { return nil }
        defer { git_reference_free(reference) }
        return git_reference_name(reference).map { String(cString: $0) }
    }
}

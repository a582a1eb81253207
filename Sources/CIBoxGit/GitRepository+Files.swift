// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2
package import Foundation

extension GitRepository {
    /// The bytes of the file at `path` in `commit`'s tree, or nil when the tree has no blob there.
    ///
    /// - Parameters:
    ///   - path: repository-relative, "/"-separated (`.circleci/config.yml`); a leading "/" is ignored.
    ///   - commit: a commit of this repository (its `treeID` is what is read).
    /// - Returns: the blob's bytes; nil when nothing is at `path` or it is a folder or submodule. A symlink
    ///   gives its target path, as git stores it.
    /// - Throws: `GitError` `.invalidArgument` for an empty path; `.revisionNotFound` when the commit's tree
    ///   is not in this repository; `.libgit2` when reading fails.
    package func readFile(_ path: String, at commit: GitCommit) throws(GitError) -> Data? {
        let relative = String(path.drop { $0 == "/" })
        guard !relative.isEmpty else {
            throw GitError(.invalidArgument, "Cannot read '\(path)' from a commit: give a file path inside the repository.")
        }
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let status = git_tree_entry_bypath(&entry, tree, relative)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check(status, "git_tree_entry_bypath", .libgit2, "Cannot read '\(relative)' at commit \(commit.sha)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        var blob: OpaquePointer?
        try check(
            git_blob_lookup(&blob, handle, git_tree_entry_id(entry)), "git_blob_lookup", .libgit2,
            "Cannot read '\(relative)' at commit \(commit.sha)"
        )
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// Looks up `commit`'s root tree; the caller frees it with `git_tree_free`.
    private func lookupTree(of commit: GitCommit) throws(GitError) -> OpaquePointer? {
        var oid = try GitOID.parse(commit.treeID)
        var tree: OpaquePointer?
        try check(
            git_tree_lookup(&tree, handle, &oid), "git_tree_lookup", .revisionNotFound,
            "Commit \(commit.sha) (tree \(commit.treeID)) is not in repository '\(locationForClones)'"
        )
        return tree
    }
}

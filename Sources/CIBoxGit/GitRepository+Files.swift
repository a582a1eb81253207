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
            throw GitError(
                .invalidArgument, "Cannot read '\(path)' from a commit: give a file path inside the repository.")
        }
        guard let entry = try treeEntry(relative, in: commit) else { return nil }
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

    /// The entry at `relative` in `commit`'s tree (the caller frees it with `git_tree_entry_free`), or nil.
    private func treeEntry(_ relative: String, in commit: GitCommit) throws(GitError) -> OpaquePointer? {
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let status = git_tree_entry_bypath(&entry, tree, relative)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check(status, "git_tree_entry_bypath", .libgit2, "Cannot read '\(relative)' at commit \(commit.sha)")
        return entry
    }

    /// The names of the files directly in the folder `path` of `commit`'s tree (not its subfolders), sorted.
    ///
    /// - Parameters:
    ///   - path: repository-relative, "/"-separated (`.circleci/orbs/acme`); a leading "/" is ignored.
    ///   - commit: a commit of this repository.
    /// - Returns: the names; empty when nothing is at `path` or it is not a folder.
    /// - Throws: `GitError` `.revisionNotFound` when the commit's tree is not in this repository; `.libgit2`
    ///   when reading fails.
    package func fileNames(inFolder path: String, at commit: GitCommit) throws(GitError) -> [String] {
        let relative = String(path.drop { $0 == "/" })
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        var folder: OpaquePointer? = tree
        var entry: OpaquePointer?
        if !relative.isEmpty {
            let status = git_tree_entry_bypath(&entry, tree, relative)
            if status == GIT_ENOTFOUND.rawValue { return [] }
            try check(status, "git_tree_entry_bypath", .libgit2, "Cannot read '\(relative)' at commit \(commit.sha)")
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            try check(
                git_tree_lookup(&folder, handle, git_tree_entry_id(entry)), "git_tree_lookup", .libgit2,
                "Cannot read the folder '\(relative)' at commit \(commit.sha)"
            )
        }
        defer { if folder != tree { git_tree_free(folder) } }
        var names: [String] = []
        for index in 0..<git_tree_entrycount(folder) {
            guard let child = git_tree_entry_byindex(folder, index), git_tree_entry_type(child) == GIT_OBJECT_BLOB,
                let name = git_tree_entry_name(child)
            else { continue }
            names.append(String(cString: name))
        }
        return names.sorted()
    }

    /// The bytes of the file at `path` on disk in the work tree (uncommitted state, for `--working-tree`).
    ///
    /// - Parameter path: repository-relative, "/"-separated; it may not leave the work tree through "..".
    /// - Returns: the file's bytes (a symlink is followed), or nil when nothing is at `path`.
    /// - Throws: `GitError` `.invalidArgument` for a bare repository or a path outside the work tree;
    ///   `.fileNotFound` when `path` is a folder or cannot be read.
    package func readWorkingTreeFile(_ path: String) throws(GitError) -> Data? {
        guard let workingDirectory else {
            throw GitError(
                .invalidArgument,
                "Cannot read '\(path)' from the work tree of '\(gitDirectory)': it is a bare repository, which has "
                    + "no work tree. Pick a branch, tag or commit instead.")
        }
        let relative = String(path.drop { $0 == "/" })
        guard !relative.isEmpty, !relative.split(separator: "/").contains("..") else {
            throw GitError(
                .invalidArgument,
                "Cannot read '\(path)' from the work tree of '\(workingDirectory)': give a file path inside it.")
        }
        let full = workingDirectory + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else { return nil }
        do {
            guard !isDirectory.boolValue else { throw CocoaError(.fileReadNoPermission) }
            return try Data(contentsOf: URL(fileURLWithPath: full))
        } catch {
            throw GitError(
                .fileNotFound,
                "Cannot read '\(full)': it is a folder or unreadable. Check the path and its permissions.")
        }
    }

    /// Looks up `commit`'s root tree; the caller frees it with `git_tree_free`.
    func lookupTree(of commit: GitCommit) throws(GitError) -> OpaquePointer? {
        var oid = try GitOID.parse(commit.treeID)
        var tree: OpaquePointer?
        try check(
            git_tree_lookup(&tree, handle, &oid), "git_tree_lookup", .revisionNotFound,
            "Commit \(commit.sha) (tree \(commit.treeID)) is not in repository '\(locationForClones)'"
        )
        return tree
    }
}

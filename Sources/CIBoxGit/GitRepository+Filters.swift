// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibgit2
import Foundation
import Synchronization

extension GitRepository {
    /// Whether checking out `commit` can change any file's bytes through git's filters (line endings, `ident`):
    /// only when some attributes or `core.autocrlf` ask for it.
    ///
    /// Why: with filters on, libgit2 looks up every file's attributes, resolving its whole path with
    /// `realpath` (12 `readlink` calls per file), which made a 10,000-file checkout twice as slow as
    /// `git worktree add`. Without attributes or `core.autocrlf` the filters write every blob as it is, so the
    /// checkout may skip them. Looked at: every `.gitattributes` in the commit, the repository's
    /// `info/attributes`, `core.attributesFile` (or `~/.config/git/attributes`), and `core.autocrlf`.
    func checkoutMayFilter(_ commit: GitCommit) throws(GitError) -> Bool {
        let autocrlf = (try configString("core.autocrlf"))?.lowercased()
        if let autocrlf, !["false", "no", "off", "0", ""].contains(autocrlf) { return true }
        var attributeFiles = [gitDirectory + "/info/attributes"]
        if let configured = try configString("core.attributesFile") {
            attributeFiles.append(
                configured.hasPrefix("~/")
                    ? FileManager.default.homeDirectoryForCurrentUser.path + configured.dropFirst() : configured)
        } else {
            let environment = ProcessInfo.processInfo.environment
            let configHome =
                environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.config"
            attributeFiles.append(configHome + "/git/attributes")
        }
        if attributeFiles.contains(where: { FileManager.default.fileExists(atPath: $0) }) { return true }
        if let known = Self.treesWithAttributes.withLock({ $0[commit.treeID] }) { return known }
        let tree = try lookupTree(of: commit)
        defer { git_tree_free(tree) }
        let found = try containsAttributesFile(tree)
        Self.treesWithAttributes.withLock { $0[commit.treeID] = found }
        return found
    }

    /// Whether each tree seen holds a `.gitattributes`, by tree id: a tree's contents never change, and every job
    /// of a pipeline checks out the same tree.
    private static let treesWithAttributes = Mutex<[String: Bool]>([:])

    /// Whether `tree` or a folder under it holds a `.gitattributes`.
    private func containsAttributesFile(_ tree: OpaquePointer?) throws(GitError) -> Bool {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index), let name = git_tree_entry_name(entry) else {
                continue
            }
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                var child: OpaquePointer?
                try check(
                    git_tree_lookup(&child, handle, git_tree_entry_id(entry)), "git_tree_lookup", .libgit2,
                    "Cannot read a folder of the commit in '\(locationForClones)'")
                defer { git_tree_free(child) }
                if try containsAttributesFile(child) { return true }
            } else if strcmp(name, ".gitattributes") == 0 {
                return true
            }
        }
        return false
    }
}

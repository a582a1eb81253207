// cibox — CI in a box. MIT licence, see LICENSE.

internal import CIBoxBasics
internal import CLibgit2
import Foundation

extension GitRepository {
    /// The folder git runs this repository's hooks from, as git decides it.
    ///
    /// `core.hooksPath` when set (`~` expanded; a relative path is taken from the work tree's root, or from
    /// the repository folder when it is bare, as git does), else `hooks` in the common git folder (shared by
    /// linked work trees).
    /// - Throws: `GitError` `.libgit2` when the repository's config cannot be read.
    package func hooksDirectory() throws(GitError) -> String {
        if let configured = try configString("core.hooksPath"), !configured.isEmpty {
            var path = configured
            if path == "~" || path.hasPrefix("~/") {
                path = FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
            }
            return Self.withoutTrailingSlash(Paths.absolute(path, relativeTo: workingDirectory ?? gitDirectory))
        }
        let common = git_repository_commondir(handle).map { String(cString: $0) } ?? gitDirectory
        return Self.withoutTrailingSlash(common) + "/hooks"
    }

    /// The value of `key` in the repository's config (all levels), or nil when it is not set.
    /// - Throws: `GitError` `.libgit2` when the config cannot be read.
    package func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check(
            git_repository_config_snapshot(&config, handle), "git_repository_config_snapshot", .libgit2,
            "Cannot read the git config of '\(gitDirectory)'")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let status = git_config_get_string(&value, config, key)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try check(
            status, "git_config_get_string", .libgit2, "Cannot read \(key) from the git config of '\(gitDirectory)'")
        return value.map { String(cString: $0) }
    }
}

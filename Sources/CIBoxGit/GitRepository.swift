// cibox — CI in a box. MIT licence, see LICENSE.

internal import CIBoxBasics
internal import CLibgit2
import Foundation

/// An open git repository.
///
/// Not `Sendable`: libgit2 handles serve one thread at a time, so one task uses a repository at a time
/// (wrap it in an actor to share it). The libgit2 handle is freed in `deinit`.
package final class GitRepository {
    /// The owned `git_repository *`.
    let handle: OpaquePointer

    /// Whether the repository has no work tree.
    package let isBare: Bool
    /// The absolute path of the `.git` folder (or of the bare repository), without a trailing slash.
    package let gitDirectory: String
    /// The absolute path of the work tree, without a trailing slash; nil when the repository is bare.
    package let workingDirectory: String?

    /// A short name for the project: the work tree's folder name, or the bare folder's name without ".git".
    package var name: String {
        if let workingDirectory { return Paths.lastComponent(workingDirectory) }
        let last = Paths.lastComponent(gitDirectory)
        return last.hasSuffix(".git") && last != ".git" ? String(last.dropLast(4)) : last
    }

    /// The path `git clone` would use as `origin`: the work tree, or the bare repository's folder.
    var locationForClones: String { workingDirectory ?? gitDirectory }

    /// Takes ownership of `handle`.
    private init(handle: OpaquePointer) {
        self.handle = handle
        isBare = git_repository_is_bare(handle) == 1
        gitDirectory = Self.withoutTrailingSlash(git_repository_path(handle).map { String(cString: $0) } ?? "")
        workingDirectory = git_repository_workdir(handle).map { Self.withoutTrailingSlash(String(cString: $0)) }
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository containing `path`: any folder inside a work tree, a `.git` folder, or a bare repository.
    ///
    /// - Parameter path: where to start looking (absolute, or relative to the current folder); parents are searched.
    /// - Returns: the open repository.
    /// - Throws: `GitError` `.notARepository` when no repository contains `path`; `.notOwned` when the
    ///   repository belongs to another user; `.libgit2` for other failures.
    package static func open(discoveringFrom path: String) throws(GitError) -> GitRepository {
        GitLibrary.initialize()
        let absolute = Paths.absolute(path)
        var repository: OpaquePointer?
        let status = git_repository_open_ext(&repository, absolute, 0, nil)
        if status < 0 {
            let failure = LibgitFailure(status: status, function: "git_repository_open_ext")
            throw openError(failure, path: absolute)
        }
        guard let repository else {
            throw GitError(.libgit2, "Cannot open the git repository at '\(absolute)': libgit2 returned no handle.")
        }
        return GitRepository(handle: repository)
    }

    /// HEAD's branch short name ("main") when HEAD is symbolic and its branch has a commit, else nil.
    ///
    /// - Returns: nil when HEAD is detached or unborn (a new repository without commits).
    package func headBranch() -> String? {
        guard git_repository_head_unborn(handle) == 0 else { return nil }
        var head: OpaquePointer?
        guard git_reference_lookup(&head, handle, "HEAD") == 0, let head else { return nil }
        defer { git_reference_free(head) }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC,
            let target = git_reference_symbolic_target(head).map({ String(cString: $0) }),
            target.hasPrefix("refs/heads/")
        else { return nil }
        return String(target.dropFirst("refs/heads/".count))
    }

    /// Maps a failed open to the error users see.
    private static func openError(_ failure: LibgitFailure, path: String) -> GitError {
        // libgit2 1.5.1 reports a repository owned by another user either as GIT_EOWNER or, when no config
        // file sets safe.directory at all, as a misleading "config value 'safe.directory' was not found".
        // Remove the second test once libgit2 ≥ 1.6 is the oldest supported version.
        if failure.status == GIT_EOWNER.rawValue || failure.detail.contains("safe.directory") {
            let repositoryPath = discoveredRepositoryPath(from: path) ?? path
            return GitError(
                .notOwned,
                "'\(repositoryPath)' is owned by another user, and cibox does not open repositories owned by "
                    + "other users. Run cibox as the repository's owner, or trust this exact path in git config: "
                    + "`git config --global --add safe.directory \(repositoryPath)` (libgit2 1.5 ignores "
                    + "safe.directory = *).",
                function: failure.function,
                gitErrorClass: failure.errorClass
            )
        }
        if failure.isNotFound {
            return GitError(
                .notARepository,
                "'\(path)' is not inside a git repository. Run cibox in a folder of a git repository or pass its path.",
                function: failure.function,
                gitErrorClass: failure.errorClass
            )
        }
        return failure.error(.libgit2, "Cannot open the git repository at '\(path)'")
    }

    /// The work tree (or bare folder) of the repository containing `path`, found without opening it.
    private static func discoveredRepositoryPath(from path: String) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_repository_discover(&buffer, path, 0, nil) == 0, let pointer = buffer.ptr else { return nil }
        let gitDirectory = withoutTrailingSlash(String(cString: pointer))
        if Paths.lastComponent(gitDirectory) == ".git" {
            return String(gitDirectory.dropLast("/.git".count))
        }
        return gitDirectory
    }

    /// `path` without a trailing slash (except for "/").
    static func withoutTrailingSlash(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
internal import CLibgit2
import Foundation

extension GitRepository {
    /// Materialises `commit` into `directory` as a standalone git repository, without writing to this one.
    ///
    /// The new repository borrows this repository's objects through `objects/info/alternates` (like
    /// `git clone --shared`; nothing is copied), has remote `origin` pointing at this repository, HEAD on
    /// `branch` (or detached at the commit), and a checked-out work tree and index of its own. Executable
    /// bits and symlinks are kept; submodules are left as empty folders. This repository's index, refs,
    /// config and objects are only read. On failure, whatever was written into `directory` is removed.
    ///
    /// - Parameters:
    ///   - commit: a commit of this repository.
    ///   - directory: an absolute path that does not exist yet or is an empty folder.
    ///   - branch: the branch to create at `commit` and check out; nil for a detached HEAD.
    /// - Throws: `GitError` `.invalidArgument` for a relative or non-empty `directory` or an invalid branch
    ///   name; `.revisionNotFound` when `commit` is not in this repository; `.checkoutFailed` otherwise.
    package func checkout(_ commit: GitCommit, into directory: String, branch: String?) throws(GitError) {
        let target = try CheckoutTarget(directory)
        do {
            try materialize(commit, into: target.path, branch: branch)
        } catch {
            target.removeWrittenFiles()
            throw error
        }
    }

    /// Does the work of `checkout(_:into:branch:)`.
    ///
    /// The new repository's `.git` is written directly, in one go, rather than by `git_repository_init` and
    /// `git_remote_create`: those write git's templates, probe the file system with scratch files and rewrite
    /// `config` through a lock file five times, which cost a few milliseconds of every job.
    func materialize(_ commit: GitCommit, into directory: String, branch: String?) throws(GitError) {
        var oid = try GitOID.parse(commit.sha)
        let failed = "Cannot check out commit \(commit.sha) into '\(directory)'"
        if let branch {
            var valid: Int32 = 0
            guard git_reference_name_is_valid(&valid, "refs/heads/" + branch) == 0, valid == 1 else {
                throw GitError(
                    .invalidArgument,
                    "'\(branch)' is not a valid branch name: git's rules (`git check-ref-format --branch`) refuse it.")
            }
        }
        try writeSkeleton(at: directory + "/.git", branch: branch, failed: failed)

        var repository: OpaquePointer?
        try check(git_repository_open(&repository, directory), "git_repository_open", .checkoutFailed, failed)
        defer { git_repository_free(repository) }

        var object: OpaquePointer?
        try check(
            git_commit_lookup(&object, repository, &oid), "git_commit_lookup", .revisionNotFound,
            "Commit \(commit.sha) is not in repository '\(locationForClones)'")
        defer { git_commit_free(object) }

        // Check out while HEAD is still unborn, so libgit2's baseline is empty and every file is written.
        var options = git_checkout_options()
        try check(
            git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init",
            .checkoutFailed, failed)
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_RECREATE_MISSING.rawValue
        options.disable_filters = try checkoutMayFilter(commit) ? 0 : 1
        try check(git_checkout_tree(repository, object, &options), "git_checkout_tree", .checkoutFailed, failed)

        if let branch {
            // HEAD already names the branch: creating it makes HEAD point at the commit.
            var reference: OpaquePointer?
            try check(
                git_reference_create(
                    &reference, repository, "refs/heads/" + branch, &oid, 0, "branch: Created by cibox"),
                "git_reference_create", .checkoutFailed, failed)
            git_reference_free(reference)
        } else {
            try check(
                git_repository_set_head_detached(repository, &oid), "git_repository_set_head_detached",
                .checkoutFailed, failed)
        }
    }

    /// Writes the `.git` folder of a new, non-bare repository at `gitDirectory`: HEAD on `branch` (unborn; a
    /// placeholder branch when the checkout is detached), a config with remote `origin` pointing at this
    /// repository, and this repository's objects borrowed through `objects/info/alternates` (like
    /// `git clone --shared`: nothing is copied).
    private func writeSkeleton(at gitDirectory: String, branch: String?, failed: String) throws(GitError) {
        let origin = locationForClones
        let escaped = origin.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        guard !origin.contains("\n") else {
            throw GitError(.checkoutFailed, "\(failed): the repository's path '\(origin)' contains a line break.")
        }
        let config = """
            [core]
            \trepositoryformatversion = 0
            \tfilemode = true
            \tbare = false
            \tlogallrefupdates = true
            [remote "origin"]
            \turl = "\(escaped)"
            \tfetch = +refs/heads/*:refs/remotes/origin/*

            """
        do {
            for folder in ["", "/objects", "/objects/info", "/objects/pack", "/refs", "/refs/heads", "/refs/tags"] {
                try Folders.make(gitDirectory + folder)
            }
            try FileWriter.write("ref: refs/heads/\(branch ?? "main")\n", to: gitDirectory + "/HEAD")
            try FileWriter.write(config, to: gitDirectory + "/config")
            try FileWriter.write(try objectsDirectory() + "\n", to: gitDirectory + "/objects/info/alternates")
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(
                .checkoutFailed, "\(failed): cannot write '\(gitDirectory)': \(error.localizedDescription).",
                cause: error)
        }
    }

    /// The absolute path of this repository's objects folder (the common one, for a linked work tree).
    func objectsDirectory() throws(GitError) -> String {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(
            git_repository_item_path(&buffer, handle, GIT_REPOSITORY_ITEM_OBJECTS), "git_repository_item_path",
            .libgit2, "Cannot find the objects folder of repository '\(locationForClones)'")
        guard let pointer = buffer.ptr else {
            throw GitError(.libgit2, "Cannot find the objects folder of repository '\(locationForClones)'.")
        }
        return Self.withoutTrailingSlash(String(cString: pointer))
    }
}

/// The folder a checkout writes into: validated before, cleaned up after a failure.
struct CheckoutTarget {
    /// The absolute folder path, without a trailing slash.
    let path: String
    /// Whether the (empty) folder existed before the checkout.
    let existed: Bool

    /// Checks that `directory` is absolute and either missing or an empty folder.
    init(_ directory: String) throws(GitError) {
        guard directory.hasPrefix("/") else {
            throw GitError(
                .invalidArgument,
                "Cannot check out into '\(directory)': the path must be absolute. Pass a full path.")
        }
        path = GitRepository.withoutTrailingSlash(directory)
        var isDirectory: ObjCBool = false
        existed = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard existed else { return }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]
        guard isDirectory.boolValue, children.isEmpty else {
            throw GitError(
                .invalidArgument,
                "Cannot check out into '\(path)': it already exists and is not an empty folder. "
                    + "Pass a new path or remove it first.")
        }
    }

    /// Removes what a failed checkout wrote: the folder if it was created, else its (new) contents.
    func removeWrittenFiles() {
        let files = FileManager.default
        guard existed else {
            try? files.removeItem(atPath: path)
            return
        }
        for child in (try? files.contentsOfDirectory(atPath: path)) ?? [] {
            try? files.removeItem(atPath: path + "/" + child)
        }
    }
}

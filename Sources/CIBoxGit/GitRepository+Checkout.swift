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
    func materialize(_ commit: GitCommit, into directory: String, branch: String?) throws(GitError) {
        var oid = try GitOID.parse(commit.sha)
        let failed = "Cannot check out commit \(commit.sha) into '\(directory)'"
        var created: OpaquePointer?
        // No templates: git's sample hooks and description are a dozen files per job that nobody reads.
        var initOptions = git_repository_init_options()
        try check(
            git_repository_init_options_init(&initOptions, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "git_repository_init_options_init", .checkoutFailed, failed
        )
        initOptions.flags = UInt32(GIT_REPOSITORY_INIT_MKPATH.rawValue)
        try check(
            git_repository_init_ext(&created, directory, &initOptions), "git_repository_init_ext", .checkoutFailed,
            failed)
        git_repository_free(created)

        // Share objects instead of copying them: the new repository reads ours through alternates.
        let alternates = directory + "/.git/objects/info/alternates"
        do {
            try FileManager.default.createDirectory(
                atPath: directory + "/.git/objects/info", withIntermediateDirectories: true)
            try FileWriter.write(try objectsDirectory() + "\n", to: alternates)
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(.checkoutFailed, "\(failed): cannot write '\(alternates)': \(error.localizedDescription).")
        }

        // Re-open so libgit2 loads the alternates written after init.
        var repository: OpaquePointer?
        try check(git_repository_open(&repository, directory), "git_repository_open", .checkoutFailed, failed)
        defer { git_repository_free(repository) }

        var remote: OpaquePointer?
        try check(
            git_remote_create(&remote, repository, "origin", locationForClones), "git_remote_create",
            .checkoutFailed, failed)
        git_remote_free(remote)

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
            try createBranch(branch, at: object, in: repository, failed: failed)
        } else {
            try check(
                git_repository_set_head_detached(repository, &oid), "git_repository_set_head_detached",
                .checkoutFailed, failed)
        }
    }

    /// Creates `refs/heads/<branch>` at `commit` in `repository` and points HEAD at it.
    private func createBranch(
        _ branch: String, at commit: OpaquePointer?, in repository: OpaquePointer?, failed: String
    ) throws(GitError) {
        var reference: OpaquePointer?
        let status = git_branch_create(&reference, repository, branch, commit, 0)
        if status == GIT_EINVALIDSPEC.rawValue {
            throw LibgitFailure(status: status, function: "git_branch_create")
                .error(.invalidArgument, "'\(branch)' is not a valid branch name")
        }
        try check(status, "git_branch_create", .checkoutFailed, failed)
        git_reference_free(reference)
        try check(
            git_repository_set_head(repository, "refs/heads/" + branch), "git_repository_set_head",
            .checkoutFailed, failed)
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

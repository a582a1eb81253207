// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
import CIBoxGit

/// The `checkout` step through libgit2: the exact commit (or the work tree) into the job's folder, leaving
/// the source repository untouched. Each call opens its own repository handle (libgit2 handles are not
/// shared between tasks).
package struct GitSourceCheckout: SourceCheckout {
    /// The repository, the commit, the branch, and whether the work tree is copied instead.
    package let origin: SourceOrigin

    /// Makes a checkout of `origin` (on a cluster node too, where the repository is at the same path).
    package init(origin: SourceOrigin) {
        self.origin = origin
    }

    /// Makes a checkout of `revision` of the repository at `repositoryPath`.
    init(repositoryPath: String, revision: String, branch: String?, workingTree: Bool) {
        self.init(
            origin: SourceOrigin(
                repositoryPath: repositoryPath, revision: revision, branch: branch, workingTree: workingTree))
    }

    /// Materialises the source into `directory`; see ``SourceCheckout``.
    /// - Throws: ``GitError`` whose message names the repository, the revision and what to do.
    package func checkout(into directory: String) throws -> String {
        GitLibrary.initialize()
        let repositoryPath = origin.repositoryPath
        let repository: GitRepository
        do {
            repository = try GitRepository.open(discoveringFrom: repositoryPath)
        } catch {
            let reason = error.code == .notARepository ? "no git repository is there any more." : error.message
            throw GitError(
                error.code,
                "Cannot check out \(subject): the repository cannot be opened: \(reason) If it moved or was "
                    + "deleted, put it back at '\(repositoryPath)', or run the pipeline from its new place "
                    + "(`cibox run NEW_PATH`).", cause: error)
        }
        if origin.workingTree {
            try writing(into: directory) { () throws(GitError) in try repository.checkoutWorkingTree(into: directory) }
            return "Copied the work tree of '\(repositoryPath)' (uncommitted changes included) into '\(directory)'"
        }
        let resolved: ResolvedRevision
        do {
            resolved = try repository.resolve(origin.revision)
        } catch {
            throw GitError(
                error.code,
                "Cannot check out \(subject): the commit is not in the repository any more (a force push followed "
                    + "by `git gc`, or a rewritten history, removes it). Run the pipeline on a commit it has: "
                    + "`cibox run '\(repositoryPath)' --rev BRANCH`.", cause: error)
        }
        try writing(into: directory) { () throws(GitError) in
            try repository.checkout(resolved.commit, into: directory, branch: origin.branch)
        }
        let branchText = origin.branch.map { " (\($0))" } ?? ""
        return "Checked out \(origin.revision)\(branchText) into '\(directory)'"
    }

    /// Runs `write`, which fills `directory`; its failure is said with the source and what to do.
    private func writing(into directory: String, _ write: () throws(GitError) -> Void) throws(GitError) {
        do {
            try write()
        } catch {
            throw GitError(
                error.code,
                "Cannot check out \(subject) into '\(directory)': \(error.message) Check that this folder can be "
                    + "written and its disk has room, then run the pipeline again (`cibox rerun PIPELINE_ID`).",
                cause: error)
        }
    }

    /// `commit REVISION of the repository 'PATH'`, or `the work tree of the repository 'PATH' (on REVISION)`.
    private var subject: String {
        origin.workingTree
            ? "the work tree of the repository '\(origin.repositoryPath)' (on \(origin.revision))"
            : "commit \(origin.revision) of the repository '\(origin.repositoryPath)'"
    }
}

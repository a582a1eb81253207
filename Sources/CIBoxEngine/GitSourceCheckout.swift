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
    package func checkout(into directory: String) throws -> String {
        GitLibrary.initialize()
        let repositoryPath = origin.repositoryPath
        let repository = try GitRepository.open(discoveringFrom: repositoryPath)
        if origin.workingTree {
            try repository.checkoutWorkingTree(into: directory)
            return "Copied the work tree of '\(repositoryPath)' (uncommitted changes included) into '\(directory)'"
        }
        let resolved = try repository.resolve(origin.revision)
        try repository.checkout(resolved.commit, into: directory, branch: origin.branch)
        let branchText = origin.branch.map { " (\($0))" } ?? ""
        return "Checked out \(origin.revision)\(branchText) into '\(directory)'"
    }
}

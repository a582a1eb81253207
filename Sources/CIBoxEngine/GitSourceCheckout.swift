// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxGit

/// The `checkout` step through libgit2: the exact commit (or the work tree) into the job's folder, leaving
/// the source repository untouched. Each call opens its own repository handle (libgit2 handles are not
/// shared between tasks).
struct GitSourceCheckout: SourceCheckout {
    /// The repository's path (work tree or git folder).
    let repositoryPath: String
    /// The commit to materialise.
    let revision: String
    /// The branch to create in the checkout, if any.
    let branch: String?
    /// Whether to overlay the work tree's uncommitted state.
    let workingTree: Bool

    func checkout(into directory: String) throws -> String {
        GitLibrary.initialize()
        let repository = try GitRepository.open(discoveringFrom: repositoryPath)
        if workingTree {
            try repository.checkoutWorkingTree(into: directory)
            return "Copied the work tree of '\(repositoryPath)' (uncommitted changes included) into '\(directory)'"
        }
        let resolved = try repository.resolve(revision)
        try repository.checkout(resolved.commit, into: directory, branch: branch)
        let branchText = branch.map { " (\($0))" } ?? ""
        return "Checked out \(revision)\(branchText) into '\(directory)'"
    }
}

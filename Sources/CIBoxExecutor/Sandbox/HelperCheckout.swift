// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The `checkout` step without cibox writing where the job could redirect it: libgit2 (as cibox's user, which can
/// read the repository) writes a fresh folder inside cibox's control folder that the job cannot reach; the folder is
/// given to the job's user and handed over into the job's own control folder; then the job's helper, as the job's
/// user, moves it to where the job wants it, in the job's view of the files.
package struct HelperCheckout {
    /// A folder of the job's where cibox hands the checkout over: as cibox reaches it, and as the job sees it.
    package struct Handoff: Sendable {
        package var host: String
        package var view: String

        /// Makes a handoff folder.
        package init(host: String, view: String) {
            self.host = host
            self.view = view
        }
    }

    let files: HelperFiles
    /// cibox's staging folder (no one else may write there).
    let staging: String
    /// The job's own folder the checkout is handed over in (the job's user may move things out of it).
    let handoff: Handoff
    /// The job's user, if it is not cibox's.
    let runAs: (uid: UInt32, gid: UInt32)?
    /// The folders bound into the job's view: a target inside one is reached through its source for the move.
    let binds: [AgentSetup.Bind]

    func checkout(_ source: any SourceCheckout, into directory: String) async throws -> String {
        let name = "checkout-" + UUID().uuidString.prefix(8).lowercased()
        try Folders.make(staging, mode: 0o700)
        let fresh = staging + "/" + name
        defer { FolderTree.remove(fresh) }
        let line = try source.checkout(into: fresh)
        if let runAs { try FileOwnership.giveAway(fresh, to: runAs) }
        let handed = handoff.host + "/" + name
        guard rename(fresh, handed) == 0 else {
            throw ExecutorError(.io, "Cannot hand the checkout to the job: \(String(cString: strerror(errno))).")
        }
        var arguments = ["move", handoff.view + "/" + name, directory]
        if let bind = binds.first(where: { Paths.isInside(directory, root: $0.target) }) {
            arguments.append(bind.source + directory.dropFirst(bind.target.count))
        }
        let outcome = try await files.run(arguments)
        if let error = outcome.error {
            FolderTree.remove(handed)
            throw ExecutorError(.io, error)
        }
        // libgit2 wrote into cibox's staging folder; the job knows the checkout where it asked for it.
        return line.replacingOccurrences(of: fresh, with: directory)
    }
}

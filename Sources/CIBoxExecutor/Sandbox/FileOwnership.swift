// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Gives folders cibox made for a job to the job's user.
package enum FileOwnership {
    /// Makes `path` and everything under it belong to `user` (symbolic links themselves, never their targets).
    package static func giveAway(_ path: String, to user: (uid: UInt32, gid: UInt32)) throws(ExecutorError) {
        guard lchown(path, user.uid, user.gid) == 0 else {
            throw ExecutorError(
                .workspace, "Cannot give '\(path)' to user \(user.uid): \(String(cString: strerror(errno))).")
        }
        // attributesOfItem does not follow symbolic links, like lstat.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeDirectory else { return }
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            try giveAway(path + "/" + child, to: user)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
import Foundation

/// Whether a `cibox daemon` runs on a home: the daemon holds the exclusive lock (`flock`) of `daemon.lock` in the
/// home for its whole life, with its pid written in the file. The kernel drops the lock when the daemon ends,
/// however it ends (`kill -9` included), so a lock held always means a live daemon.
package enum DaemonPresence {
    /// The daemon's lock file in `home`.
    package static func lockPath(home: String) -> String {
        home + "/daemon.lock"
    }

    /// Takes the daemon's lock of `home` for this process (kept until the holder is dropped).
    /// - Throws: ``EngineError`` `usage` when another daemon runs on the home, `store` when the lock file cannot
    ///   be used.
    package static func claim(home: String, pid: Int32) throws(EngineError) -> FileLock.Holder {
        let path = lockPath(home: home)
        let holder: FileLock.Holder?
        do {
            holder = try FileLock.hold(path: path)
        } catch {
            throw EngineError(.store, "Cannot lock '\(path)': \(error.localizedDescription).", cause: error)
        }
        guard let holder else {
            let other = recordedPID(home: home).map { " (pid \($0))" } ?? ""
            throw EngineError(.usage, "Another cibox daemon\(other) runs on '\(home)': one daemon per home.")
        }
        holder.describe("\(pid)\n")
        return holder
    }

    /// The pid the daemon of `home` wrote in its lock file; nil when there is none.
    package static func recordedPID(home: String) -> String? {
        let text = ((try? String(contentsOfFile: lockPath(home: home), encoding: .utf8)) ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Whether a daemon runs on `home` now.
    package static func isRunning(home: String) -> Bool {
        FileLock.isHeld(path: lockPath(home: home))
    }
}

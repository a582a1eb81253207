// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// A fresh folder under the system temp folder, removed by `remove()` (tests call it in `defer`).
package struct TemporaryDirectory: Sendable {
    /// The folder's absolute path (symlinks resolved, so it compares equal to what libgit2 reports).
    package let path: String

    /// Makes a fresh, empty folder whose name starts with `prefix`, in `parent` (the system temp folder by default;
    /// `/var/tmp` for a folder jobs must see, each job having a `/tmp` of its own).
    package init(prefix: String = "cibox-test", in parent: String? = nil) throws {
        let base = parent ?? FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let name = "\(prefix)-\(UUID().uuidString.prefix(8))"
        path = base + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `relative` inside the folder.
    package func appending(_ relative: String) -> String {
        path + "/" + relative
    }

    /// Writes `contents` to `relative`, making folders as needed.
    package func write(_ contents: String, to relative: String) throws {
        let full = appending(relative)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // O_CLOEXEC: a script written here and run at once must not be held open for writing by a process
        // another test forks meanwhile (exec would fail with ETXTBSY, "Text file busy").
        try FileWriter.write(contents, to: full)
    }

    /// Removes the folder and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

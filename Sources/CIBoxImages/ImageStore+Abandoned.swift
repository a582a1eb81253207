// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

extension ImageStore {
    /// Removes the work of loads and unpacks whose process is gone (killed or crashed half way): `tmp/load-PID-…`
    /// folders and `roots/.partial-HEX-PID` folders. Work of a living process is left alone.
    func removeAbandonedWork() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: stagingFolder)) ?? [] {
            let parts = name.split(separator: "-")
            if parts.count == 3, parts[0] == "load", Self.isGone(parts[1]) {
                FolderTree.remove(stagingFolder + "/" + name)
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: rootsFolder)) ?? []
        where name.hasPrefix(".partial-") {
            if let pid = name.split(separator: "-").last, Self.isGone(pid) {
                FolderTree.remove(rootsFolder + "/" + name)
            }
        }
    }

    /// Whether no process has the id `text`.
    static func isGone(_ text: Substring) -> Bool {
        guard let pid = Int32(text), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// What a folder holds, as comparable lines: equal snapshots mean nothing was added, removed or resized.
package enum FolderSnapshot {
    /// Every path under `root` with its size, sorted; lock files and the `tmp` folder (work in progress) aside.
    package static func of(_ root: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        while let path = walker.nextObject() as? String {
            if path.hasSuffix("lock") || path == "tmp" { continue }
            var info = stat()
            lstat(root + "/" + path, &info)
            paths.append("\(path) \(info.st_size)")
        }
        return paths.sorted()
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Small path helpers over plain strings (absolute POSIX paths).
package enum Paths {
    /// Makes `path` absolute against the current directory and removes `.`/`..` and duplicate slashes.
    package static func absolute(_ path: String, relativeTo base: String = FileManager.default.currentDirectoryPath)
        -> String
    {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return normalize(joined)
    }

    /// Removes `.` and `..` components and duplicate slashes from an absolute path, without touching the disk.
    package static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The last component of a path, without a trailing slash.
    package static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The folder `path` is in, as `dirname` gives it: `/a/b` → `/a`, `/a` → `/`, `a` → `.` (trailing slashes
    /// ignored).
    package static func parent(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        return String(folder)
    }

    /// Whether `path` is `root` or inside it (both normalized, absolute).
    package static func isInside(_ path: String, root: String) -> Bool {
        let path = normalize(path)
        let root = normalize(root)
        return path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}

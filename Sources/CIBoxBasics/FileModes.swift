// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Permission changes on whole trees.
package enum FileModes {
    /// Removes group and other permissions from `path` and everything under it (links are left alone); returns how
    /// many entries changed.
    @discardableResult
    package static func makePrivate(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { return 0 }
        var changed = 0
        if info.st_mode & 0o077 != 0, chmod(path, info.st_mode & 0o700) == 0 { changed += 1 }
        if info.st_mode & S_IFMT == S_IFDIR {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                changed += makePrivate(path + "/" + child)
            }
        }
        return changed
    }
}

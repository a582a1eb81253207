// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Bytes that files take on disk (allocated blocks, as `du` counts them), each inode once however many hard links
/// name it.
struct DiskUsage {
    private struct Inode: Hashable {
        var device: UInt64
        var number: UInt64
    }

    private var seen = Set<Inode>()

    /// The bytes of `path` and, for a folder, of everything under it (symbolic links are not followed), leaving out
    /// inodes this value already counted. 0 when it does not exist.
    mutating func measure(_ path: String) -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        if info.st_nlink > 1, !seen.insert(Inode(device: UInt64(info.st_dev), number: UInt64(info.st_ino))).inserted {
            return 0
        }
        var total = Int64(info.st_blocks) * 512
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                total += measure(path + "/" + child)
            }
        }
        return total
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Everything observable about the files under a folder: to prove an operation wrote nothing there.
struct DirectorySnapshot: Equatable {
    /// One file, folder or symlink.
    struct Entry: Equatable {
        var mode: UInt32
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
        /// FNV-1a of a regular file's bytes, or of a symlink's target.
        var contentHash: UInt64
    }

    /// Relative path → entry, for every item under the folder (including `.git`).
    var entries: [String: Entry]

    /// Takes the snapshot (lstat, so symlinks are not followed).
    init(of root: String) {
        var entries: [String: Entry] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let full = root + "/" + relative
            var info = stat()
            guard lstat(full, &info) == 0 else { continue }
            var hash: UInt64 = 0
            switch info.st_mode & S_IFMT {
            case S_IFREG: hash = Self.fnv1a(FileManager.default.contents(atPath: full) ?? Data())
            case S_IFLNK:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
                hash = Self.fnv1a(Data(target.utf8))
            default: break
            }
            entries[relative] = Entry(
                mode: info.st_mode, size: Int64(info.st_size), modifiedSeconds: info.st_mtim.tv_sec,
                modifiedNanoseconds: info.st_mtim.tv_nsec, contentHash: hash)
        }
        self.entries = entries
    }

    /// 64-bit FNV-1a.
    private static func fnv1a(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

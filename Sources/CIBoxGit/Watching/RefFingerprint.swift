// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Glibc

/// What the polling fallback of ``RefWatcher`` compares: the metadata of every loose ref and of `packed-refs`.
struct RefFingerprint: Equatable {
    /// Path → (inode, size, modification time in nanoseconds).
    private var files: [String: [Int64]] = [:]

    /// The fingerprint of `gitDirectory`'s refs now.
    static func current(gitDirectory: String) -> RefFingerprint {
        var fingerprint = RefFingerprint()
        fingerprint.record(gitDirectory + "/packed-refs")
        for root in ["refs/heads", "refs/tags"] {
            let folder = gitDirectory + "/" + root
            guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
            while let relative = enumerator.nextObject() as? String {
                if !relative.hasSuffix(".lock") { fingerprint.record(folder + "/" + relative) }
            }
        }
        return fingerprint
    }

    /// Adds `path`'s metadata, when it exists.
    private mutating func record(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        files[path] = [
            Int64(info.st_ino), Int64(info.st_size),
            Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
        ]
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A container's root: an overlay whose lower folder is an image's read-only root (shared by every job of that
/// image) and whose upper and work folders are the job's own, so a job's writes never reach the image or another job.
/// Mounted in cibox's own mount namespace, at the bundle's `rootfs`.
package struct Overlay {
    /// The image's unpacked root.
    let lower: String
    /// The job's writes.
    let upper: String
    /// The overlay's work folder (same file system as `upper`).
    let work: String
    /// Where it is mounted.
    let target: String

    /// Mounts it (the folders are made first).
    /// - Throws: ``ExecutorError`` `workspace` naming the mount point and the system's reason.
    func mount() throws(ExecutorError) {
        do {
            for folder in [upper, work, target] { try Folders.make(folder, mode: 0o755) }
        } catch {
            throw ExecutorError(
                .workspace, "Cannot make the container's folders under '\(target)': \(error.localizedDescription)",
                cause: error)
        }
        let options = "lowerdir=\(Self.escaped(lower)),upperdir=\(Self.escaped(upper)),workdir=\(Self.escaped(work))"
        guard Glibc.mount("overlay", target, "overlay", UInt(MS_NODEV), options) == 0 else {
            throw ExecutorError(
                .workspace,
                "Cannot mount the image's root at '\(target)' (overlay of '\(lower)'): "
                    + "\(String(cString: strerror(errno))).")
        }
    }

    /// Unmounts it, waiting a little while something still uses it, then detaching it.
    func unmount() {
        for _ in 0..<20 {
            if umount2(target, 0) == 0 || errno == EINVAL || errno == ENOENT { return }
            usleep(10_000)
        }
        _ = umount2(target, Int32(MNT_DETACH))
    }

    /// `path` with the characters overlay options give a meaning (`,`, `:`, `\`) escaped.
    static func escaped(_ path: String) -> String {
        var result = ""
        for character in path {
            if character == "," || character == ":" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// The mount points under `folder` in this process's mount namespace (what a job left mounted).
    package static func mounts(under folder: String) -> [String] {
        MountTable.mounts(under: folder)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

extension ImageStore {
    /// The unpacked read-only root of the manifest `digest`, unpacked first when missing. Concurrent callers for a
    /// missing root (in any process) wait for each other on the root's lock file: one unpacks, the others find it
    /// made; a root already there is returned at once.
    /// - Returns: the root's path, and whether this call unpacked it.
    /// - Throws: `ImageError` when the manifest or a layer is missing, damaged or unsafe.
    package func root(of digest: String) throws(ImageError) -> (path: String, unpacked: Bool) {
        let target = rootPath(digest)
        // A root is moved in whole, so one that is there is complete: no lock (a job holds it shared while it runs,
        // and waiting for it exclusively here would queue every job of the image behind the running ones).
        if FileManager.default.fileExists(atPath: target) { return (target, false) }
        return try withRootLock(digest) { () throws(ImageError) in
            if FileManager.default.fileExists(atPath: target) { return (target, false) }
            let verifier = BlobVerifier(content: folder, source: "the store")
            let manifest = try verifier.decode(
                ImageManifest.self, file: blobPath(digest), role: "the manifest \(digest)")
            let partial = rootsFolder + "/.partial-\(ImageDigest.hex(digest))-\(getpid())"
            FolderTree.remove(partial)
            do throws(ImageError) {
                try RootUnpacker.unpack(manifest, blob: blobPath, into: partial, image: digest)
            } catch {
                FolderTree.remove(partial)
                throw error
            }
            guard rename(partial, target) == 0 else {
                FolderTree.remove(partial)
                throw ImageError(.io, "Cannot move a root into '\(target)': \(String(cString: strerror(errno))).")
            }
            return (target, true)
        }
    }

    /// What the container runner asks: the image named `reference` (its manifest and config, last use recorded)
    /// and its unpacked read-only root, unpacked first when missing.
    /// - Throws: `ImageError`: `.notFound` when no name matches, else as ``root(of:)``.
    package func prepare(_ reference: String) throws(ImageError) -> PreparedImage {
        let image = try image(reference)
        return PreparedImage(image: image, root: try root(of: image.record.digest).path)
    }

    /// The lock file of the root of `digest` (`roots/<hex>.lock`): a running job holds it shared.
    func rootLockPath(_ digest: String) -> String {
        rootsFolder + "/" + ImageDigest.hex(digest) + ".lock"
    }

    /// Takes the exclusive lock of the root of `digest` without waiting.
    /// - Returns: the holder, or nil when the root is busy (a job runs in it, or another process unpacks it).
    func holdRootIfIdle(_ digest: String) throws(ImageError) -> FileLock.Holder? {
        try Folders.makeForImages(rootsFolder)
        let lock = rootLockPath(digest)
        do {
            return try FileLock.hold(path: lock)
        } catch {
            throw ImageError(.io, "Cannot lock '\(lock)': \(error).")
        }
    }

    /// Runs `body` holding the exclusive lock of the root of `digest` (`roots/<hex>.lock`).
    func withRootLock<T>(_ digest: String, _ body: () throws(ImageError) -> T) throws(ImageError) -> T {
        try Folders.makeForImages(rootsFolder)
        let lock = rootLockPath(digest)
        do {
            return try FileLock.withLock(path: lock, exclusive: true) { try body() }
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.io, "Cannot lock '\(lock)': \(error).")
        }
    }
}

/// An image ready for a container: its name, manifest and config, and its unpacked root.
package struct PreparedImage: Sendable {
    /// The name, manifest and config.
    package var image: StoredImage
    /// The unpacked root (`roots/<hex>`), to be mounted read-only (an overlay's lower folder).
    package var root: String
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import Foundation
import Synchronization

/// One image's copy from its registry into the store: under the pull's lock (so that another cibox process on the
/// same store waits, then finds it), skopeo copies the pinned manifest into a `dir:` folder while its progress is
/// reported and posted on the ``PullBoard``; the store then verifies and loads it.
struct PullCopy: Sendable {
    let store: ImageStore
    let skopeo: Skopeo
    let session: PullSession
    /// The name the image gets in the store.
    let name: ImageReference
    let manifest: RegistryManifest
    /// The pull's key on the board.
    let key: String
    let report: @Sendable (String) -> Void

    /// Copies and loads the image. - Returns: its record.
    func run() async throws(RegistryError) -> ImageRecord {
        let board = PullBoard(storeFolder: store.folder)
        do {
            try Folders.make(board.folder, mode: 0o700)
        } catch {
            throw RegistryError(.refused, "Cannot make '\(board.folder)': \(error).")
        }
        let lock = try await holdLock(board.lockPath(key))
        defer { withExtendedLifetime(lock) {} }
        if let found = ((try? store.images()) ?? []).first(where: {
            $0.reference == name.description && $0.digest == manifest.digest
        }) {
            // Another cibox process pulled it while this one waited for the lock.
            return found
        }
        let layers = manifest.manifest.layers
        report(
            "Pulling \(name) (\(manifest.digest)): \(layers.count) layer\(layers.count == 1 ? "" : "s"), "
                + "\(ByteCount.format(manifest.size))")
        let started = ContinuousClock.now
        var status = PullStatus(
            reference: name.description, digest: manifest.digest, pid: getpid(),
            startedAt: Date().timeIntervalSince1970, layers: layers.count, layersDone: 0, bytes: manifest.size,
            bytesDone: 0)
        board.write(status, key: key)
        defer { board.remove(key) }
        let folder = session.folder + "/image"
        var pin = name
        pin.tag = nil
        pin.digest = manifest.digest
        let pinned = pin
        try await withProgress(folder: folder, status: &status, board: board) { () async throws(RegistryError) in
            try await skopeo.copy(pinned.description, into: folder, in: session)
        }
        let records: [ImageRecord]
        do throws(ImageError) {
            // The copy must be the manifest asked for (skopeo checks its blobs; the store checks them again).
            records = try store.load(folder, tag: name.description, expectedDigest: manifest.digest)
        } catch {
            throw RegistryError(.badImage, error.message)
        }
        guard let record = records.first(where: { $0.digest == manifest.digest }) else {
            throw RegistryError(.badImage, "The registry's copy of '\(name)' is not the manifest \(manifest.digest).")
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        report(
            "Pulled \(name) (\(manifest.digest)) in \(String(format: "%.1f", seconds)) s: \(layers.count) layer"
                + "\(layers.count == 1 ? "" : "s"), \(ByteCount.format(manifest.size))")
        return record
    }

    /// Takes the pull's lock, waiting (without blocking a thread) while another process holds it.
    private func holdLock(_ path: String) async throws(RegistryError) -> FileLock.Holder {
        var said = false
        while true {
            do {
                if let holder = try FileLock.hold(path: path) { return holder }
            } catch {
                throw RegistryError(.refused, "Cannot lock '\(path)': \(error).")
            }
            if !said {
                report("Waiting for another cibox process pulling \(name)")
                said = true
            }
            if Task.isCancelled { throw RegistryError(.failed, "The pull was cancelled.") }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Runs `copy` while reporting what has arrived in `folder` every second (a line when a layer is in, or every
    /// 10 s), on the board too.
    private func withProgress(
        folder: String, status: inout PullStatus, board: PullBoard,
        _ copy: @escaping @Sendable () async throws(RegistryError) -> Void
    ) async throws(RegistryError) {
        let finished = Mutex(false)
        let copying = Task {
            defer { finished.withLock { $0 = true } }
            try await copy()
        }
        let layers = manifest.manifest.layers
        var lastLine = ContinuousClock.now
        var ticks = 0
        while !finished.withLock({ $0 }), !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            ticks += 1
            guard ticks % 50 == 0 else { continue }
            let (done, bytes) = Self.arrived(folder, layers: layers)
            let changed = done != status.layersDone
            status.layersDone = done
            status.bytesDone = min(bytes, status.bytes)
            board.write(status, key: key)
            if changed || ContinuousClock.now - lastLine >= .seconds(10) {
                report(
                    "  \(done) of \(layers.count) layers, \(ByteCount.format(status.bytesDone)) of "
                        + "\(ByteCount.format(status.bytes))")
                lastLine = ContinuousClock.now
            }
        }
        do {
            try await withTaskCancellationHandler {
                try await copying.value
            } onCancel: {
                copying.cancel()
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.failed, "\(error)")
        }
    }

    /// How many of `layers` are complete in `folder`, and how many bytes it holds.
    private static func arrived(_ folder: String, layers: [Descriptor]) -> (Int, Int64) {
        var bytes: Int64 = 0
        var sizes: [String: Int64] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            bytes += Int64(info.st_size)
            sizes[name] = Int64(info.st_size)
        }
        let done = layers.filter { sizes[ImageDigest.hex($0.digest)] == $0.size }.count
        return (done, bytes)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

extension ImageStore {
    /// Removes the names `text` matches (a reference, or a manifest digest), then every blob and root no name
    /// needs any more.
    /// - Returns: the names removed.
    /// - Throws: `ImageError.Code.notFound` when nothing matches.
    package func remove(_ text: String) throws(ImageError) -> [ImageRecord] {
        try catalog.update { records throws(ImageError) in
            let removed = try Self.matching(text, in: records)
            guard !removed.isEmpty else { throw ImageError(.notFound, "No image '\(text)' in the store.") }
            records.removeAll { removed.contains($0) }
            try collectGarbage(keeping: records)
            return removed
        }
    }

    /// Removes the blobs and roots that `records` do not need (called under the index's lock). A root in use (a
    /// running job holds its lock shared) is left for a later collection: this never waits for a job.
    func collectGarbage(keeping records: [ImageRecord]) throws(ImageError) {
        var needed = Set<String>()
        var roots = Set<String>()
        for record in records {
            roots.insert(ImageDigest.hex(record.digest))
            needed.formUnion(try blobs(of: record.digest))
        }
        for blob in (try? FileManager.default.contentsOfDirectory(atPath: blobsFolder)) ?? []
        where !needed.contains(blob) {
            unlink(blobsFolder + "/" + blob)
        }
        for entry in rootEntries() where !roots.contains(entry) {
            guard let lock = try holdRootIfIdle("sha256:" + entry) else { continue }
            withExtendedLifetime(lock) { FolderTree.remove(rootPath("sha256:" + entry)) }
        }
    }

    /// The hex digests of the blobs the manifest `digest` needs: itself, its config and its layers.
    func blobs(of digest: String) throws(ImageError) -> Set<String> {
        let verifier = BlobVerifier(content: folder, source: "the store")
        let manifest = try verifier.decode(ImageManifest.self, file: blobPath(digest), role: "the manifest \(digest)")
        return Set(([digest, manifest.config.digest] + manifest.layers.map(\.digest)).map(ImageDigest.hex))
    }

    /// The hex digests of the unpacked roots (lock files and unpacks in progress aside).
    func rootEntries() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: rootsFolder)) ?? []
        return entries.filter { !$0.hasSuffix(".lock") && !$0.hasPrefix(".partial-") }
    }
}

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

    /// Removes the blobs and roots that `records` do not need (called under the index's lock).
    func collectGarbage(keeping records: [ImageRecord]) throws(ImageError) {
        var needed = Set<String>()
        var roots = Set<String>()
        for record in records {
            roots.insert(ImageDigest.hex(record.digest))
            needed.insert(ImageDigest.hex(record.digest))
            let verifier = BlobVerifier(content: folder, source: "the store")
            let manifest = try verifier.decode(
                ImageManifest.self, file: blobPath(record.digest), role: "the manifest \(record.digest)")
            for blob in [manifest.config] + manifest.layers { needed.insert(ImageDigest.hex(blob.digest)) }
        }
        for blob in (try? FileManager.default.contentsOfDirectory(atPath: blobsFolder)) ?? []
        where !needed.contains(blob) {
            unlink(blobsFolder + "/" + blob)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: rootsFolder)) ?? []
        for entry in entries where !entry.hasSuffix(".lock") && !entry.hasPrefix(".partial-") && !roots.contains(entry)
        {
            try withRootLock("sha256:" + entry) { () throws(ImageError) in
                FolderTree.remove(rootPath("sha256:" + entry))
            }
        }
    }
}

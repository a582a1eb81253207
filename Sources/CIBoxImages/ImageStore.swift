// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// The image store under `$CIBOX_HOME/images/`: content-addressed blobs (`blobs/sha256/<hex>`), the index of
/// references (`index.json`), and one unpacked root per manifest (`roots/<hex>/`).
///
/// Everything new is made aside (in `tmp/`), verified, then moved in: a failed load leaves the store as it was.
package struct ImageStore: Sendable {
    /// `$CIBOX_HOME/images`.
    package let folder: String

    /// The store of the state folder `home`.
    package init(home: String) {
        folder = home + "/images"
    }

    var catalog: ImageCatalog { ImageCatalog(folder: folder) }
    var blobsFolder: String { folder + "/blobs/sha256" }
    var rootsFolder: String { folder + "/roots" }
    var stagingFolder: String { folder + "/tmp" }

    /// The blob of `digest`.
    package func blobPath(_ digest: String) -> String {
        blobsFolder + "/" + ImageDigest.hex(digest)
    }

    /// The unpacked root of the manifest `digest` (which ``root(of:)`` makes when missing).
    package func rootPath(_ digest: String) -> String {
        rootsFolder + "/" + ImageDigest.hex(digest)
    }

    /// Every name in the store, sorted by reference.
    package func images() throws(ImageError) -> [ImageRecord] {
        try catalog.records()
    }

    /// The image named `text` (a reference, or `sha256:<hex>` / `REF@sha256:<hex>` for a digest), with its
    /// manifest and config, its last use set to now.
    /// - Throws: `ImageError.Code.notFound` when no name matches.
    package func image(_ text: String) throws(ImageError) -> StoredImage {
        // Looked up first without the lock: a store nothing was loaded into yet (no folder) has no such image.
        guard try !Self.matching(text, in: catalog.records()).isEmpty else {
            throw ImageError(.notFound, "No image '\(text)' in the store: load it with 'cibox image load FILE'.")
        }
        let records = try catalog.update { records throws(ImageError) in
            let found = try Self.matching(text, in: records)
            let now = Date().timeIntervalSince1970
            for index in records.indices where found.contains(records[index]) { records[index].lastUsedAt = now }
            return found.map { record in
                var used = record
                used.lastUsedAt = now
                return used
            }
        }
        guard let record = records.first else {
            throw ImageError(.notFound, "No image '\(text)' in the store: load it with 'cibox image load FILE'.")
        }
        let verifier = BlobVerifier(content: folder, source: "the store")
        let manifest = try verifier.decode(
            ImageManifest.self, file: blobPath(record.digest), role: "the manifest \(record.digest)")
        let configuration = try verifier.decode(
            ImageConfiguration.self, file: blobPath(manifest.config.digest), role: "the config")
        return StoredImage(record: record, manifest: manifest, configuration: configuration)
    }

    /// The records `text` names: by reference, or by manifest digest. A reference with a digest
    /// (`registry/repo:tag@sha256:…` or `registry/repo@sha256:…`) names the tagged record with that digest when there
    /// is one, else every record of that repository with that digest (tagged ones first, then its digest record): a
    /// job pinned to a digest finds its image after the tag moved.
    package static func matching(_ text: String, in records: [ImageRecord]) throws(ImageError) -> [ImageRecord] {
        if ImageDigest.isValid(text) { return records.filter { $0.digest == text } }
        let reference = try ImageReference(parsing: text)
        guard let digest = reference.digest else { return records.filter { $0.reference == reference.description } }
        if let tag = reference.tag {
            let name = reference.tagged(tag).description
            let exact = records.filter { $0.reference == name && $0.digest == digest }
            if !exact.isEmpty { return exact }
        }
        let pinned = reference.pinned(digest).description
        let same = records.filter { $0.digest == digest && reference.holds($0.reference) }
        return same.filter { $0.reference != pinned } + same.filter { $0.reference == pinned }
    }
}

/// An image of the store: its name, manifest and config.
package struct StoredImage: Sendable {
    /// The name and digest.
    package var record: ImageRecord
    /// The manifest (config and layers).
    package var manifest: ImageManifest
    /// The config (platform, `Env`, `User`, `WorkingDir`, …).
    package var configuration: ImageConfiguration
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// What `cibox doctor` finds in the image store.
package struct ImageStoreHealth: Sendable, Equatable {
    /// How many names the index holds.
    package var images: Int
    /// How many distinct manifests they name.
    package var manifests: Int
    /// What is wrong, one sentence each (naming the image).
    package var problems: [String]

    /// Makes a finding.
    package init(images: Int, manifests: Int, problems: [String]) {
        self.images = images
        self.manifests = manifests
        self.problems = problems
    }
}

extension ImageStore {
    /// Reads the index and checks each image it names: its manifest and config are present and match their digests
    /// (small files: hashed), and its layers are present with their descriptors' sizes (not hashed: a store of many
    /// gigabytes would take minutes; `cibox image load` and pulls hash every layer before it enters the store).
    /// Takes no lock and changes nothing.
    package func inspect() -> ImageStoreHealth {
        let records: [ImageRecord]
        do {
            records = try catalog.records()
        } catch {
            return ImageStoreHealth(images: 0, manifests: 0, problems: [error.message])
        }
        var problems: [String] = []
        var seen: Set<String> = []
        let verifier = BlobVerifier(content: folder, source: "the store")
        for record in records where seen.insert(record.digest).inserted {
            let names = records.filter { $0.digest == record.digest }.map(\.reference).joined(separator: ", ")
            do throws(ImageError) {
                let file = blobPath(record.digest)
                try verifier.verify(file: file, digest: record.digest, size: nil, role: "the manifest")
                let manifest = try verifier.decode(ImageManifest.self, file: file, role: "the manifest")
                _ = try verifier.verified(manifest.config, role: "the config")
                for (index, layer) in manifest.layers.enumerated() {
                    var info = stat()
                    guard lstat(blobPath(layer.digest), &info) == 0 else {
                        throw ImageError(.badArchive, "The store lacks layer \(index + 1) (\(layer.digest)).")
                    }
                    guard Int64(info.st_size) == layer.size else {
                        throw ImageError(
                            .digestMismatch,
                            "Layer \(index + 1) (\(layer.digest)) is \(info.st_size) bytes; its descriptor says "
                                + "\(layer.size).")
                    }
                }
            } catch {
                problems.append("\(names): \(error.message)")
            }
        }
        return ImageStoreHealth(images: records.count, manifests: seen.count, problems: problems)
    }
}

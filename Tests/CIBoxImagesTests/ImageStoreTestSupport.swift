// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// A store in a fresh folder, and what the tests read from it.
struct StoreFixture {
    let folder: TemporaryDirectory
    let store: ImageStore

    init() throws {
        folder = try TemporaryDirectory(prefix: "cibox-images")
        store = ImageStore(home: folder.appending("home"))
    }

    /// Writes `archive` as a tar and loads it.
    func load(_ archive: TestImageArchive, tag: String? = nil) throws -> [ImageRecord] {
        let path = folder.appending("image-\(UUID().uuidString.prefix(8)).tar")
        try archive.writeArchive(to: path)
        return try store.load(path, tag: tag)
    }

    /// Writes `archive` (an OCI layout of one image) as skopeo's `dir:` layout: `version`, `manifest.json` (the
    /// manifest's exact bytes) and every other blob as `<hex>`.
    func writeDirectory(_ archive: TestImageArchive, name: String = "dir") throws -> String {
        let folder = self.folder.appending(name + "-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let manifest = TestImageArchive.blobPath(archive.manifestDigests[0])
        try Data("Directory Transport Version: 1.1\n".utf8).write(to: URL(fileURLWithPath: folder + "/version"))
        for (path, bytes) in archive.files where path.hasPrefix("blobs/sha256/") {
            let target = path == manifest ? "manifest.json" : String(path.dropFirst("blobs/sha256/".count))
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + target))
        }
        return folder
    }

    /// Sets the last use of the name `reference` to `date` in the store's index (as if a job used it then).
    func setLastUse(_ reference: String, to date: Date) throws {
        struct Index: Codable {
            var images: [ImageRecord]
        }
        let path = store.folder + "/index.json"
        var index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let found = index.images.indices.filter { index.images[$0].reference == reference }
        guard !found.isEmpty else { throw FixtureError("no \(reference) in the index") }
        for position in found { index.images[position].lastUsedAt = date.timeIntervalSince1970 }
        try JSONEncoder().encode(index).write(to: URL(fileURLWithPath: path))
    }

    /// Whether the store holds the blob `digest`.
    func hasBlob(_ digest: String) -> Bool {
        FileManager.default.fileExists(atPath: store.blobPath(digest))
    }

    /// The message of the `ImageError` that `body` throws (nil when it throws none).
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? ImageError)?.message ?? "\(error)"
        }
    }

    /// What the store holds (equal snapshots: the store is unchanged).
    func snapshot() -> [String] {
        FolderSnapshot.of(store.folder)
    }

    func remove() {
        FolderTree.remove(folder.path)
    }
}

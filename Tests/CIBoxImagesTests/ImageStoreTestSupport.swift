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

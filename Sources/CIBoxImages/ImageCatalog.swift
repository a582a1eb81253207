// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// One name in the store: a reference and the manifest it points at.
package struct ImageRecord: Codable, Sendable, Equatable {
    /// The normalised reference (`docker.io/library/node:20`).
    package var reference: String
    /// The manifest's digest.
    package var digest: String
    /// The config's and layers' sizes together, in bytes (compressed as stored).
    package var size: Int64
    /// When it was loaded (seconds since 1970).
    package var loadedAt: Double
    /// When a job last used it, or nil.
    package var lastUsedAt: Double?

    /// Makes a record.
    package init(reference: String, digest: String, size: Int64, loadedAt: Double, lastUsedAt: Double?) {
        self.reference = reference
        self.digest = digest
        self.size = size
        self.loadedAt = loadedAt
        self.lastUsedAt = lastUsedAt
    }

    enum CodingKeys: String, CodingKey {
        case reference, digest, size
        case loadedAt = "loaded_at"
        case lastUsedAt = "last_used_at"
    }
}

/// The store's index of references (`images/index.json`), written whole and atomically, under `images/lock`.
struct ImageCatalog {
    let folder: String

    var path: String { folder + "/index.json" }
    var lockPath: String { folder + "/lock" }

    private struct File: Codable {
        var images: [ImageRecord]
    }

    /// The records, sorted by reference (none when the file does not exist yet).
    func records() throws(ImageError) -> [ImageRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let bytes = FileReader.contents(atPath: path) else {
            throw ImageError(.io, "Cannot read the image index '\(path)': \(String(cString: strerror(errno))).")
        }
        do {
            return try JSONDecoder().decode(File.self, from: Data(bytes)).images
        } catch {
            throw ImageError(.io, "The image index '\(path)' is damaged: \(error).")
        }
    }

    /// Runs `change` on the records under the lock and writes the result (sorted by reference) when it differs.
    func update<T>(_ change: (inout [ImageRecord]) throws(ImageError) -> T) throws(ImageError) -> T {
        do {
            return try FileLock.withLock(path: lockPath, exclusive: true) {
                let before = try records()
                var records = before
                let result = try change(&records)
                records.sort { $0.reference < $1.reference }
                if records == before { return result }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let text = String(decoding: try encoder.encode(File(images: records)), as: UTF8.self)
                try FileWriter.replace(text + "\n", at: path, mode: 0o600)
                return result
            }
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.io, "Cannot update the image index '\(path)': \(error).")
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// SHA-256 as `sha256:` hex, of bytes and of files.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        SHA256Digest.hex(SHA256Digest.of(bytes))
    }

    /// The digest of the file at `path`, or nil when it cannot be read.
    static func of(fileAt path: String) -> String? {
        SHA256Digest.of(fileAt: path).map(SHA256Digest.hex)
    }
}

/// Checks blobs of an OCI layout (or a docker-archive, or skopeo's `dir:` layout) against their descriptors.
struct BlobVerifier {
    /// The unpacked archive or the layout folder.
    let content: String
    /// How messages name the input (`'FILE'`).
    let source: String
    /// The folder holding each blob as `<hex>`: `blobs/sha256` of an OCI layout, the folder itself for `dir:`.
    let blobFolder: String

    /// A verifier of the blobs in `content` (under `blobs/sha256/` unless `blobFolder` says otherwise).
    init(content: String, source: String, blobFolder: String? = nil) {
        self.content = content
        self.source = source
        self.blobFolder = blobFolder ?? content + "/blobs/sha256"
    }

    /// The path of `digest`'s blob in the layout.
    func path(of digest: String) -> String {
        blobFolder + "/" + ImageDigest.hex(digest)
    }

    /// The blob of `descriptor`, verified: it exists, has the descriptor's size, and hashes to its digest.
    /// - Parameter role: what the blob is, for messages (`the config`, `layer 2`).
    func verified(_ descriptor: Descriptor, role: String) throws(ImageError) -> String {
        guard ImageDigest.isValid(descriptor.digest) else {
            throw ImageError(
                .unsupported,
                "\(role.capitalizedFirst) in \(source) has the digest '\(descriptor.digest)': only sha256 digests "
                    + "are supported.")
        }
        let file = path(of: descriptor.digest)
        try verify(file: file, digest: descriptor.digest, size: descriptor.size, role: role)
        return file
    }

    /// Checks that `file` exists, has `size` bytes (when given) and hashes to `digest`.
    func verify(file: String, digest: String, size: Int64?, role: String) throws(ImageError) {
        var info = stat()
        guard lstat(file, &info) == 0 else { throw ImageError(.badArchive, "\(source) lacks \(role) (\(digest)).") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ImageError(.badArchive, "\(role.capitalizedFirst) (\(digest)) in \(source) is not a regular file.")
        }
        if let size, Int64(info.st_size) != size {
            throw ImageError(
                .digestMismatch,
                "\(role.capitalizedFirst) (\(digest)) in \(source) is \(info.st_size) bytes; its descriptor says "
                    + "\(size).")
        }
        guard let actual = SHA256Hex.of(fileAt: file) else {
            throw ImageError(.io, "Cannot read \(role) in \(source): \(String(cString: strerror(errno))).")
        }
        guard "sha256:" + actual == digest else {
            throw ImageError(
                .digestMismatch,
                "\(role.capitalizedFirst) in \(source) does not match its digest: expected \(digest), "
                    + "found sha256:\(actual).")
        }
    }

    /// Decodes the JSON file at `file` as `T`.
    func decode<T: Decodable>(_ type: T.Type, file: String, role: String) throws(ImageError) -> T {
        guard let bytes = FileReader.contents(atPath: file) else {
            throw ImageError(.badArchive, "\(source) lacks \(role).")
        }
        return try decode(type, bytes: bytes, role: role)
    }

    /// Decodes `bytes` as `T`.
    func decode<T: Decodable>(_ type: T.Type, bytes: [UInt8], role: String) throws(ImageError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw ImageError(.badArchive, "\(role.capitalizedFirst) in \(source) is not valid: \(Self.reason(error)).")
        }
    }

    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "'\(key.stringValue)' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "it is not JSON" : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' is wrong"
        default: "\(error)"
        }
    }
}

extension String {
    /// The string with its first letter in capitals.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

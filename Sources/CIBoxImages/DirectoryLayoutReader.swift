// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// Finds the image of skopeo's `dir:` layout (what `skopeo copy docker://REF dir:FOLDER` writes): `version`
/// (`Directory Transport Version: 1.1`), `manifest.json` (the registry's manifest, its exact bytes) and each blob as
/// `<hex>`. A manifest list or index there (`skopeo copy --all`) has this machine's manifest in
/// `<hex>.manifest.json`.
struct DirectoryLayoutReader {
    let verifier: BlobVerifier

    /// The file that marks the layout.
    static let versionFile = "version"

    /// Whether `folder` is a `dir:` layout (it has the version file).
    static func isLayout(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + versionFile)
    }

    /// The verifier of the layout in `content`: its blobs are in the folder itself.
    static func verifier(content: String, source: String) -> BlobVerifier {
        BlobVerifier(content: content, source: source, blobFolder: content)
    }

    /// The image, verified (unnamed: the caller names it).
    func candidate() throws(ImageError) -> LoadedCandidate {
        let version = String(decoding: FileReader.contents(atPath: verifier.content + "/version") ?? [], as: UTF8.self)
        guard version.hasPrefix("Directory Transport Version: 1.") else {
            throw ImageError(
                .unsupported,
                "\(verifier.source.capitalizedFirst) has a version file that is not skopeo's 'Directory Transport "
                    + "Version: 1.x' (it says '\(version.trimmingCharacters(in: .whitespacesAndNewlines))').")
        }
        guard let bytes = FileReader.contents(atPath: verifier.content + "/manifest.json") else {
            throw ImageError(.badArchive, "\(verifier.source) lacks manifest.json.")
        }
        let kind = try verifier.decode(ManifestKind.self, bytes: bytes, role: "manifest.json")
        guard kind.schemaVersion == 2 else {
            throw ImageError(
                .unsupported,
                "The manifest in \(verifier.source) is schema version \(kind.schemaVersion); cibox reads Docker "
                    + "schema 2 and OCI manifests (copy it again with 'skopeo copy --format v2s2').")
        }
        if kind.manifests != nil || kind.mediaType.map(MediaTypes.indexes.contains) == true {
            return try chosen(from: verifier.decode(ImageIndex.self, bytes: bytes, role: "manifest.json"), bytes: bytes)
        }
        if let mediaType = kind.mediaType, !MediaTypes.manifests.contains(mediaType) {
            throw ImageError(
                .unsupported, "The manifest in \(verifier.source) has the unknown media type '\(mediaType)'.")
        }
        let manifest = try verifier.decode(ImageManifest.self, bytes: bytes, role: "manifest.json")
        return try ManifestChecker(verifier: verifier).candidate(manifest: manifest, bytes: bytes)
    }

    /// This machine's manifest of the index `index` (whose exact bytes are `bytes`), from `<hex>.manifest.json`.
    private func chosen(from index: ImageIndex, bytes: [UInt8]) throws(ImageError) -> LoadedCandidate {
        guard let descriptor = index.manifests.first(where: { $0.platform.map(HostPlatform.runs) ?? false }) else {
            throw OCILayoutReader.noImageHere(index, source: verifier.source)
        }
        let role = "the manifest \(descriptor.digest)"
        guard ImageDigest.isValid(descriptor.digest), MediaTypes.manifests.contains(descriptor.mediaType) else {
            throw ImageError(
                .unsupported,
                "\(role.capitalizedFirst) in \(verifier.source) has the digest '\(descriptor.digest)' and media type "
                    + "'\(descriptor.mediaType)': cibox reads sha256 Docker schema 2 and OCI manifests.")
        }
        let file = verifier.content + "/" + ImageDigest.hex(descriptor.digest) + ".manifest.json"
        try verifier.verify(file: file, digest: descriptor.digest, size: descriptor.size, role: role)
        let manifestBytes = FileReader.contents(atPath: file) ?? []
        let manifest = try verifier.decode(ImageManifest.self, bytes: manifestBytes, role: role)
        var candidate = try ManifestChecker(verifier: verifier).candidate(manifest: manifest, bytes: manifestBytes)
        candidate.indexDigest = "sha256:" + SHA256Hex.of(bytes)
        return candidate
    }

    /// What kind of document `manifest.json` is.
    private struct ManifestKind: Decodable {
        var schemaVersion: Int
        var mediaType: String?
        var manifests: [Descriptor]?
    }
}

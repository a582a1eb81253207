// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import Foundation

/// The manifest a registry gives for an image on this machine: its digest (the sha256 of its exact bytes, which
/// skopeo's copy is checked against) and what it holds.
struct RegistryManifest: Sendable {
    /// `sha256:<hex>` of the manifest's bytes.
    var digest: String
    /// The manifest.
    var manifest: ImageManifest

    /// The layers' sizes and the config's together.
    var size: Int64 { manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size } }

    /// The manifest of `reference` for this machine: the one it names, or this machine's entry of the index it
    /// names (asked again by that entry's digest).
    static func fetch(
        _ reference: ImageReference, skopeo: Skopeo, session: PullSession
    ) async throws(RegistryError) -> RegistryManifest {
        let bytes = try await skopeo.rawManifest(reference.description, in: session)
        guard let kind = try? JSONDecoder().decode(Kind.self, from: Data(bytes)) else {
            throw RegistryError(.badImage, "The registry's manifest of '\(reference)' is not valid JSON.")
        }
        if let entries = kind.manifests {
            guard let chosen = entries.first(where: { $0.platform.map(HostPlatform.runs) ?? false }) else {
                let offered = entries.compactMap { $0.platform?.description }
                throw RegistryError(
                    .badImage,
                    "'\(reference)' has no image for \(HostPlatform.current) (it has "
                        + "\(offered.isEmpty ? "no platform" : offered.joined(separator: ", "))).")
            }
            var pinned = reference
            pinned.tag = nil
            pinned.digest = chosen.digest
            return try await fetch(pinned, skopeo: skopeo, session: session)
        }
        guard let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(bytes)) else {
            throw RegistryError(.badImage, "The registry's manifest of '\(reference)' is not an image manifest.")
        }
        let digest = "sha256:" + SHA256Digest.hex(SHA256Digest.of(bytes))
        if let expected = reference.digest, expected != digest {
            throw RegistryError(
                .badImage,
                "The registry gave a manifest of digest \(digest) for '\(reference)'; it must be \(expected).")
        }
        return RegistryManifest(digest: digest, manifest: manifest)
    }

    /// Enough of a manifest or an index to tell which it is.
    private struct Kind: Decodable {
        var manifests: [Descriptor]?
    }
}

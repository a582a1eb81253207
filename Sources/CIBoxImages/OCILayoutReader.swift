// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// Finds the images of an OCI layout (a folder, or an unpacked oci-archive): this machine's manifest of each
/// entry of `index.json`, named by its `io.containerd.image.name` or a full `org.opencontainers.image.ref.name`.
struct OCILayoutReader {
    let verifier: BlobVerifier

    /// The images, verified.
    func candidates() throws(ImageError) -> [LoadedCandidate] {
        let index = try verifier.decode(
            ImageIndex.self, file: verifier.content + "/index.json", role: "the index (index.json)")
        // An index.json may list one manifest per platform itself (containerd's export, buildx): keep this machine's.
        let runnable = index.manifests.filter { $0.platform.map(HostPlatform.runs) ?? true }
        guard !runnable.isEmpty || index.manifests.isEmpty else { throw noImageHere(index) }
        return try runnable.map { descriptor throws(ImageError) in
            var candidate = try manifest(for: descriptor, role: "the manifest \(descriptor.digest)")
            candidate.names = try Self.names(descriptor.annotations ?? [:])
            return candidate
        }
    }

    /// The names an index entry's annotations give.
    static func names(_ annotations: [String: String]) throws(ImageError) -> [ImageReference] {
        if let name = annotations[ImageAnnotations.containerdName] { return [try ImageReference(parsing: name)] }
        if let name = annotations[ImageAnnotations.referenceName], name.contains("/") || name.contains(":") {
            return [try ImageReference(parsing: name)]
        }
        return []
    }

    /// The error for an index with no manifest for this machine, naming the platforms it has.
    private func noImageHere(_ index: ImageIndex) -> ImageError {
        Self.noImageHere(index, source: verifier.source)
    }

    /// The error for an index of `source` with no manifest for this machine, naming the platforms it has.
    static func noImageHere(_ index: ImageIndex, source: String) -> ImageError {
        let offered = index.manifests.compactMap { $0.platform?.description }
        return ImageError(
            .wrongPlatform,
            "\(source) has no image for \(HostPlatform.current) (it has "
                + "\(offered.isEmpty ? "no platform" : offered.joined(separator: ", "))).")
    }

    /// The verified image `descriptor` points at: a manifest, or this machine's manifest of an index.
    private func manifest(for descriptor: Descriptor, role: String) throws(ImageError) -> LoadedCandidate {
        let file = try verifier.verified(descriptor, role: role)
        if MediaTypes.indexes.contains(descriptor.mediaType) {
            let index = try verifier.decode(ImageIndex.self, file: file, role: role)
            let matching = index.manifests.filter { $0.platform.map(HostPlatform.runs) ?? false }
            guard let chosen = matching.first else { throw noImageHere(index) }
            var candidate = try manifest(for: chosen, role: "the manifest \(chosen.digest)")
            candidate.indexDigest = descriptor.digest
            return candidate
        }
        guard MediaTypes.manifests.contains(descriptor.mediaType) else {
            throw ImageError(
                .unsupported,
                "\(role.capitalizedFirst) in \(verifier.source) has the unknown media type "
                    + "'\(descriptor.mediaType)'.")
        }
        let bytes = FileReader.contents(atPath: file) ?? []
        let manifest = try verifier.decode(ImageManifest.self, bytes: bytes, role: role)
        return try ManifestChecker(verifier: verifier).candidate(manifest: manifest, bytes: bytes)
    }
}

/// Checks a manifest's config and layers: known media types, verified blobs, this machine's platform.
struct ManifestChecker {
    let verifier: BlobVerifier

    /// The verified candidate of `manifest` (whose exact bytes are `bytes`), unnamed.
    /// - Parameter files: where each blob is when not in the layout's `blobs/` (a docker-archive's files).
    func candidate(manifest: ImageManifest, bytes: [UInt8], files: [String: String] = [:]) throws(ImageError)
        -> LoadedCandidate
    {
        guard MediaTypes.configs.contains(manifest.config.mediaType) else {
            throw ImageError(
                .unsupported,
                "The config in \(verifier.source) has the unknown media type '\(manifest.config.mediaType)'.")
        }
        var blobs: [String: String] = [:]
        let configFile = try blob(manifest.config, role: "the config", files: files)
        blobs[manifest.config.digest] = configFile
        let configuration = try verifier.decode(ImageConfiguration.self, file: configFile, role: "the config")
        guard HostPlatform.runs(configuration.platform) else {
            throw ImageError(
                .wrongPlatform,
                "The image in \(verifier.source) is for \(configuration.platform); this machine runs "
                    + "\(HostPlatform.current).")
        }
        for (number, layer) in zip(1..., manifest.layers) {
            guard MediaTypes.layers.contains(layer.mediaType) else {
                throw ImageError(
                    .unsupported,
                    "Layer \(number) in \(verifier.source) has the unknown media type '\(layer.mediaType)'.")
            }
            blobs[layer.digest] = try blob(layer, role: "layer \(number)", files: files)
        }
        return LoadedCandidate(
            names: [], manifestBytes: bytes, manifest: manifest, configuration: configuration, blobs: blobs)
    }

    private func blob(_ descriptor: Descriptor, role: String, files: [String: String]) throws(ImageError) -> String {
        guard let file = files[descriptor.digest] else { return try verifier.verified(descriptor, role: role) }
        return file
    }
}

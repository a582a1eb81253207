// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import Foundation

/// The files of an image archive or layout, made in memory so that tests can damage them before writing: an OCI
/// layout (`oci-layout`, `index.json`, `blobs/sha256/…`) or a docker-archive (`manifest.json`, `<hex>.json`,
/// `<hex>/layer.tar`).
package struct TestImageArchive: Sendable {
    /// Each file by its path in the archive.
    package var files: [String: [UInt8]] = [:]
    /// The manifest digests, in the order written.
    package var manifestDigests: [String] = []

    /// An archive with no files (tests add their own).
    package init() {}

    /// An OCI layout of `images`, each entry of `index.json` with its annotations (`io.containerd.image.name`…).
    package static func ociLayout(_ images: [(TestImage, [String: String])]) throws -> TestImageArchive {
        var archive = TestImageArchive()
        archive.files["oci-layout"] = Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)
        var descriptors: [Descriptor] = []
        for (image, annotations) in images {
            var descriptor = try archive.addManifest(image)
            descriptor.annotations = annotations.isEmpty ? nil : annotations
            descriptors.append(descriptor)
        }
        archive.files["index.json"] = TestImage.json(ImageIndex(manifests: descriptors))
        return archive
    }

    /// An OCI layout whose `index.json` points at one index (as `skopeo copy --all` writes) holding one manifest per
    /// image, each with its image's platform.
    package static func platformIndex(_ images: [TestImage], annotations: [String: String]) throws -> TestImageArchive {
        var archive = TestImageArchive()
        archive.files["oci-layout"] = Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8)
        var manifests: [Descriptor] = []
        for image in images {
            var descriptor = try archive.addManifest(image)
            descriptor.platform = image.platform
            manifests.append(descriptor)
        }
        let index = TestImage.json(ImageIndex(manifests: manifests))
        let digest = archive.addBlob(index)
        archive.files["index.json"] = TestImage.json(
            ImageIndex(manifests: [
                Descriptor(
                    mediaType: MediaTypes.ociIndex, digest: digest, size: Int64(index.count), annotations: annotations)
            ]))
        return archive
    }

    /// A docker-archive of `image` named by `repoTags` (none: no `RepoTags`), as `docker save` writes it: plain
    /// tar layers at `<hex>/layer.tar`, the config at `<hex>.json`.
    package static func dockerArchive(_ image: TestImage, repoTags: [String]?) throws -> TestImageArchive {
        var plain = image
        plain.compression = .plain
        var archive = TestImageArchive()
        let layers = try plain.layerBlobs()
        let config = plain.configBytes(diffIDs: layers.map(\.diffID))
        let configName = SHA256Digest.hex(SHA256Digest.of(config)) + ".json"
        archive.files[configName] = config
        var layerNames: [String] = []
        for layer in layers {
            let name = String(layer.diffID.dropFirst(7)) + "/layer.tar"
            archive.files[name] = layer.bytes
            layerNames.append(name)
        }
        archive.files["manifest.json"] = TestImage.json([
            DockerArchiveEntry(config: configName, repoTags: repoTags, layers: layerNames)
        ])
        return archive
    }

    /// Adds `image`'s layers, config and manifest as blobs; returns the manifest's descriptor.
    private mutating func addManifest(_ image: TestImage) throws -> Descriptor {
        let layers = try image.layerBlobs()
        let config = image.configBytes(diffIDs: layers.map(\.diffID))
        let manifest = ImageManifest(
            mediaType: MediaTypes.ociManifest,
            config: Descriptor(mediaType: MediaTypes.ociConfig, digest: addBlob(config), size: Int64(config.count)),
            layers: layers.map { layer in
                Descriptor(mediaType: layer.mediaType, digest: addBlob(layer.bytes), size: Int64(layer.bytes.count))
            })
        let bytes = TestImage.json(manifest)
        let digest = addBlob(bytes)
        manifestDigests.append(digest)
        return Descriptor(mediaType: MediaTypes.ociManifest, digest: digest, size: Int64(bytes.count))
    }

    /// Adds a blob and returns its digest.
    @discardableResult
    package mutating func addBlob(_ bytes: [UInt8]) -> String {
        let hex = SHA256Digest.hex(SHA256Digest.of(bytes))
        files["blobs/sha256/" + hex] = bytes
        return "sha256:" + hex
    }

    /// The path of the blob `digest`.
    package static func blobPath(_ digest: String) -> String {
        "blobs/sha256/" + digest.dropFirst(7)
    }

    /// The files as one tar (a docker-archive or an oci-archive), folders included.
    package func tar() -> [UInt8] {
        var folders = Set<String>()
        var entries: [TarEntry] = []
        for path in files.keys.sorted() {
            var folder = ""
            for component in path.split(separator: "/").dropLast() {
                folder += component + "/"
                if folders.insert(folder).inserted { entries.append(TarEntry(folder, .folder)) }
            }
            entries.append(TarEntry(path, .file(files[path] ?? [])))
        }
        return TarWriter.archive(entries)
    }

    /// Writes the tar to `path`.
    package func writeArchive(to path: String) throws {
        try Data(tar()).write(to: URL(fileURLWithPath: path))
    }

    /// Writes the files under `folder` (an OCI layout folder).
    package func writeFolder(to folder: String) throws {
        for (path, bytes) in files {
            let full = folder + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: full))
        }
    }
}

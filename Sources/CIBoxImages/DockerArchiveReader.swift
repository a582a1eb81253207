// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// Finds the images of an unpacked docker-archive (`manifest.json` listing each image's config, layers and
/// `RepoTags`), hashes their files and writes each one's Docker (schema 2) manifest.
///
/// A docker-archive has no manifest of its own, so its content is checked by what it does have: a config named
/// `<hex>.json` or `blobs/sha256/<hex>` must hash to that name, a layer so named too, and a plain tar layer must
/// match the config's `diff_ids`.
struct DockerArchiveReader {
    let verifier: BlobVerifier

    /// The images, verified.
    func candidates() throws(ImageError) -> [LoadedCandidate] {
        let entries = try verifier.decode(
            [DockerArchiveEntry].self, file: verifier.content + "/manifest.json", role: "manifest.json")
        return try entries.map { entry throws(ImageError) in
            var candidate = try candidate(entry)
            candidate.names = try (entry.repoTags ?? []).map { tag throws(ImageError) in
                try ImageReference(parsing: tag)
            }
            return candidate
        }
    }

    private func candidate(_ entry: DockerArchiveEntry) throws(ImageError) -> LoadedCandidate {
        let (configFile, configDigest, configSize) = try hashed(entry.config, role: "the config (\(entry.config))")
        let configuration = try verifier.decode(ImageConfiguration.self, file: configFile, role: "the config")
        let diffIDs = configuration.rootfs?.diffIDs ?? []
        var files = [configDigest: configFile]
        var layers: [Descriptor] = []
        for (number, path) in zip(1..., entry.layers) {
            let role = "layer \(number) (\(path))"
            let (file, digest, size) = try hashed(path, role: role)
            let mediaType = try Self.mediaType(of: file, role: role, source: verifier.source)
            if mediaType == MediaTypes.dockerLayerTar, number <= diffIDs.count, diffIDs[number - 1] != digest {
                throw ImageError(
                    .digestMismatch,
                    "\(role.capitalizedFirst) in \(verifier.source) does not match the config's diff_ids: expected "
                        + "\(diffIDs[number - 1]), found \(digest).")
            }
            files[digest] = file
            layers.append(Descriptor(mediaType: mediaType, digest: digest, size: size))
        }
        let manifest = ImageManifest(
            mediaType: MediaTypes.dockerManifest,
            config: Descriptor(mediaType: MediaTypes.dockerConfig, digest: configDigest, size: configSize),
            layers: layers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(manifest)).map { Array($0) } ?? []
        return try ManifestChecker(verifier: verifier).candidate(manifest: manifest, bytes: bytes, files: files)
    }

    /// The file `name` of the archive, its digest and size; a name that is a digest must be the file's.
    private func hashed(_ name: String, role: String) throws(ImageError) -> (String, String, Int64) {
        guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
            throw ImageError(.badArchive, "\(role.capitalizedFirst) in \(verifier.source) is outside the archive.")
        }
        let file = verifier.content + "/" + name
        var info = stat()
        guard lstat(file, &info) == 0 else { throw ImageError(.badArchive, "\(verifier.source) lacks \(role).") }
        guard (info.st_mode & S_IFMT) == S_IFREG, let hex = SHA256Hex.of(fileAt: file) else {
            throw ImageError(.badArchive, "\(role.capitalizedFirst) in \(verifier.source) is not a regular file.")
        }
        let base = Paths.lastComponent(name)
        let named = base.hasSuffix(".json") ? String(base.dropLast(5)) : base
        if named.count == 64, ImageDigest.isValid("sha256:" + named), named != hex {
            throw ImageError(
                .digestMismatch,
                "\(role.capitalizedFirst) in \(verifier.source) does not match its digest: expected "
                    + "sha256:\(named), found sha256:\(hex).")
        }
        return (file, "sha256:" + hex, Int64(info.st_size))
    }

    /// A layer's media type from its first bytes: gzip, zstd or a plain tar.
    static func mediaType(of file: String, role: String, source: String) throws(ImageError) -> String {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        var magic = [UInt8](repeating: 0, count: 4)
        let count = fd < 0 ? -1 : magic.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4) }
        guard count >= 0 else { throw ImageError(.badArchive, "Cannot read \(role) in \(source).") }
        if count >= 2, magic[0] == 0x1f, magic[1] == 0x8b { return MediaTypes.dockerLayerGzip }
        if count == 4, magic == [0x28, 0xb5, 0x2f, 0xfd] { return MediaTypes.ociLayers[2] }
        return MediaTypes.dockerLayerTar
    }
}

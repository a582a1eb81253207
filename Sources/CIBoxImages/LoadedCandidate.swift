// cibox — CI in a box. MIT licence, see LICENSE.

/// One image found in an archive or layout, verified and ready to move into the store.
struct LoadedCandidate {
    /// The names the archive gives it.
    var names: [ImageReference]
    /// The manifest's exact bytes (its digest is theirs).
    var manifestBytes: [UInt8]
    /// The manifest.
    var manifest: ImageManifest
    /// The config.
    var configuration: ImageConfiguration
    /// Where each verified blob (config and layers) is in the staging folder, by digest.
    var blobs: [String: String]
    /// The digest of the index (or manifest list) the manifest was chosen from, when there was one.
    var indexDigest: String?

    /// The manifest's digest.
    var digest: String { "sha256:" + SHA256Hex.of(manifestBytes) }

    /// The config's and layers' sizes together.
    var size: Int64 { manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size } }
}

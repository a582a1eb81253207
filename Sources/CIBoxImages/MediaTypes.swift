// cibox — CI in a box. MIT licence, see LICENSE.

/// The media types of OCI and Docker images that cibox reads.
package enum MediaTypes {
    /// An OCI image index (several manifests, one per platform).
    package static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// An OCI image manifest.
    package static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image config.
    package static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// OCI layers: plain, gzip and zstd tars.
    package static let ociLayers = [
        "application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
    ]
    /// A Docker manifest list (Docker's index).
    package static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// A Docker image manifest (schema 2).
    package static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker image config.
    package static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// A Docker layer, gzip compressed.
    package static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// A Docker layer as a plain tar (what `docker save` writes).
    package static let dockerLayerTar = "application/vnd.docker.image.rootfs.diff.tar"

    /// Media types of indexes.
    package static let indexes: Set<String> = [ociIndex, dockerManifestList]
    /// Media types of manifests.
    package static let manifests: Set<String> = [ociManifest, dockerManifest]
    /// Media types of configs.
    package static let configs: Set<String> = [ociConfig, dockerConfig]
    /// Media types of layers cibox can unpack.
    package static let layers: Set<String> = Set(ociLayers + [dockerLayerGzip, dockerLayerTar])
}

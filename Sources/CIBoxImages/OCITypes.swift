// cibox — CI in a box. MIT licence, see LICENSE.

/// A reference to a blob: its media type, digest and size (OCI's descriptor).
package struct Descriptor: Codable, Hashable, Sendable {
    /// What the blob is.
    package var mediaType: String
    /// Its content address (`sha256:<hex>`).
    package var digest: String
    /// Its size in bytes.
    package var size: Int64
    /// The platform of the manifest it points at (in an index).
    package var platform: Platform?
    /// Annotations (in an index: `org.opencontainers.image.ref.name`, `io.containerd.image.name`).
    package var annotations: [String: String]?

    /// Makes a descriptor.
    package init(
        mediaType: String, digest: String, size: Int64, platform: Platform? = nil, annotations: [String: String]? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }
}

/// An operating system and CPU architecture (`linux/amd64`, `linux/arm64/v8`).
package struct Platform: Codable, Hashable, Sendable, CustomStringConvertible {
    /// `amd64`, `arm64`, … (Go's names).
    package var architecture: String
    /// `linux`.
    package var os: String
    /// `v7`, `v8`, … for ARM.
    package var variant: String?

    /// Makes a platform.
    package init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// `os/architecture[/variant]`.
    package var description: String { "\(os)/\(architecture)" + (variant.map { "/" + $0 } ?? "") }
}

/// An OCI image index or a Docker manifest list: one manifest per platform.
package struct ImageIndex: Codable, Sendable {
    /// 2.
    package var schemaVersion: Int
    /// The index's media type (optional in OCI layouts' `index.json`).
    package var mediaType: String?
    /// The manifests (or nested indexes).
    package var manifests: [Descriptor]

    /// Makes an index.
    package init(schemaVersion: Int = 2, mediaType: String? = MediaTypes.ociIndex, manifests: [Descriptor]) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
    }
}

/// An image manifest: the config and the layers, bottom first.
package struct ImageManifest: Codable, Sendable {
    /// 2.
    package var schemaVersion: Int
    /// The manifest's media type.
    package var mediaType: String?
    /// The image config blob.
    package var config: Descriptor
    /// The layer blobs, bottom first.
    package var layers: [Descriptor]

    /// Makes a manifest.
    package init(schemaVersion: Int = 2, mediaType: String?, config: Descriptor, layers: [Descriptor]) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
    }
}

/// An image config: the platform and how a container of it runs.
package struct ImageConfiguration: Codable, Sendable {
    /// Go's architecture name (`amd64`).
    package var architecture: String
    /// `linux`.
    package var os: String
    /// `v8`, … for ARM.
    package var variant: String?
    /// How a container runs.
    package var config: ContainerConfiguration?
    /// The layers' uncompressed digests (`diff_ids`), bottom first.
    package var rootfs: RootFileSystem?

    /// Makes a config.
    package init(
        architecture: String, os: String, variant: String? = nil, config: ContainerConfiguration?,
        rootfs: RootFileSystem?
    ) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.config = config
        self.rootfs = rootfs
    }

    /// The platform it was built for.
    package var platform: Platform { Platform(architecture: architecture, os: os, variant: variant) }
}

/// The part of an image config that says how a container runs (Docker's capitalised keys).
package struct ContainerConfiguration: Codable, Sendable, Equatable {
    /// `NAME=value` entries.
    package var env: [String]?
    /// `user`, `uid`, `user:group` or `uid:gid`.
    package var user: String?
    /// The working folder.
    package var workingDir: String?
    /// The entrypoint.
    package var entrypoint: [String]?
    /// The default command.
    package var cmd: [String]?

    /// Makes a container config.
    package init(
        env: [String]? = nil, user: String? = nil, workingDir: String? = nil, entrypoint: [String]? = nil,
        cmd: [String]? = nil
    ) {
        self.env = env
        self.user = user
        self.workingDir = workingDir
        self.entrypoint = entrypoint
        self.cmd = cmd
    }

    enum CodingKeys: String, CodingKey {
        case env = "Env"
        case user = "User"
        case workingDir = "WorkingDir"
        case entrypoint = "Entrypoint"
        case cmd = "Cmd"
    }
}

/// An image config's `rootfs`: the uncompressed layers' digests.
package struct RootFileSystem: Codable, Sendable {
    /// `layers`.
    package var type: String
    /// `sha256:<hex>` of each uncompressed layer, bottom first.
    package var diffIDs: [String]

    /// Makes a rootfs.
    package init(type: String = "layers", diffIDs: [String]) {
        self.type = type
        self.diffIDs = diffIDs
    }

    enum CodingKeys: String, CodingKey {
        case type
        case diffIDs = "diff_ids"
    }
}

/// One image of a docker-archive's `manifest.json` (what `docker save` and `podman save` write).
package struct DockerArchiveEntry: Codable, Sendable {
    /// The config file's path in the archive (`<hex>.json` or `blobs/sha256/<hex>`).
    package var config: String
    /// The image's names (`busybox:latest`).
    package var repoTags: [String]?
    /// The layer files' paths in the archive, bottom first.
    package var layers: [String]

    /// Makes an entry.
    package init(config: String, repoTags: [String]?, layers: [String]) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }
}

/// The annotation keys that name an image in an OCI index.
package enum ImageAnnotations {
    /// containerd's full name (`docker.io/library/node:20`).
    package static let containerdName = "io.containerd.image.name"
    /// OCI's reference name: a tag (`20`) or a full reference.
    package static let referenceName = "org.opencontainers.image.ref.name"
}

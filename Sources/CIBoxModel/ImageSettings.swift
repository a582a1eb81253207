// cibox — CI in a box. MIT licence, see LICENSE.

/// `images: { mode }` in settings: whether jobs run in their `docker:` images.
package enum ImageMode: String, Codable, Sendable, CaseIterable {
    /// A job whose image is in the store runs in it; one whose image is missing runs on the host, with a warning.
    case auto
    /// A job whose image is missing fails (`infrastructure`).
    case required
    /// Jobs never run in images: every step runs in the host's shell.
    case host
}

/// `images: { network }` in settings: what a job's containers reach.
package enum ImageNetwork: String, Codable, Sendable, CaseIterable {
    /// Loopback only: a job reaches its own services and nothing else.
    case loopback
    /// The host's network (for package registries).
    case host
}

/// `images: { pull }` in settings: when cibox asks a registry for a job's image.
package enum ImagePullPolicy: String, Codable, Sendable, CaseIterable {
    /// Pull an image that is not in the store; one that is there is used as it is, with no registry asked.
    case missing
    /// Ask the registry for the tag's digest once per pipeline, and pull it when the store lacks that digest (a tag
    /// that moved gets its new image in new pipelines).
    case always
    /// Never ask a registry: images come only from `cibox image load` and `cibox image pull`.
    case never
}

/// `images: { docker_engine }` in settings: which jobs `setup_remote_docker` gives a Docker engine. The engine
/// runs as root on this machine, so its socket is root's power: a job that is not root here already gains it.
package enum DockerEnginePolicy: String, Codable, Sendable, CaseIterable {
    /// Jobs that already run as root on this machine's shell (no `run_as`, not in an image) get one; others fail
    /// saying why.
    case rootJobs = "root-jobs"
    /// Every job gets one (in its image too): for machines whose configs are all trusted.
    case all
    /// No job gets one.
    case off
}

/// `images:` in settings: how jobs use their images.
package struct ImageSettings: Sendable, Equatable {
    /// Whether jobs run in their images.
    package var mode = ImageMode.auto
    /// References a job names → the references used instead, both normalised as Docker does
    /// (`docker.io/cimg/node:20` → `docker.io/internal/node:20.11`).
    package var aliases: [String: String] = [:]
    /// What a job's containers reach.
    package var network = ImageNetwork.loopback
    /// Registries → the mirror pulls of their images go to (`docker.io` → `registry.internal:5000`, or with a
    /// path: `registry.internal/dockerhub`).
    package var registryMirrors: [String: String] = [:]
    /// Registries (hosts, with a port when not 443) reached over plain HTTP or TLS without verification.
    package var insecureRegistries: [String] = []
    /// When a registry is asked for a job's image.
    package var pull = ImagePullPolicy.missing
    /// How long an image may go unused before `cibox gc` removes it, in seconds (30 days).
    package var keep: Double = 30 * 86_400
    /// The most bytes the image store may hold after `cibox gc` (least recently used images go first); nil: no
    /// limit.
    package var maxSize: Int64?
    /// Which jobs `setup_remote_docker` gives a Docker engine.
    package var dockerEngine = DockerEnginePolicy.rootJobs

    /// Makes image settings; the defaults are what an absent key means.
    package init(mode: ImageMode = .auto, aliases: [String: String] = [:], network: ImageNetwork = .loopback) {
        self.mode = mode
        self.aliases = aliases
        self.network = network
    }

    /// The reference a job naming `reference` (normalised) runs in: its alias, else itself.
    package func resolved(_ reference: String) -> String {
        aliases[reference] ?? reference
    }
}

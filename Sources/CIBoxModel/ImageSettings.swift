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

/// `images:` in settings: how jobs use their images.
package struct ImageSettings: Sendable, Equatable {
    /// Whether jobs run in their images.
    package var mode = ImageMode.auto
    /// References a job names → the references used instead, both normalised as Docker does
    /// (`docker.io/cimg/node:20` → `docker.io/internal/node:20.11`).
    package var aliases: [String: String] = [:]
    /// What a job's containers reach.
    package var network = ImageNetwork.loopback

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

// cibox — CI in a box. MIT licence, see LICENSE.

/// `config:` in settings: how much a config may cost to read.
package struct ConfigSettings: Sendable, Equatable {
    /// The default of ``maxExpandedBytes``: 32 MiB, far above any real config (the largest corpus config expands to
    /// well under 1 MiB) and small enough that reading the most a config may expand to takes well under a second.
    package static let defaultMaxExpandedBytes = 32 * 1_048_576

    /// The most text a config may expand to, in bytes: once through YAML aliases (each alias copies its anchor's
    /// value), and again through its commands, executors, parameters and matrices. A config past it is refused.
    package var maxExpandedBytes: Int

    /// Makes config settings; the defaults are what an absent key means.
    package init(maxExpandedBytes: Int = Self.defaultMaxExpandedBytes) {
        self.maxExpandedBytes = maxExpandedBytes
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// The image a job run ran in: its reference as the store names it and the digest of the manifest it used.
package struct JobImage: Codable, Sendable, Equatable, Hashable {
    /// The reference, normalised as Docker does (`docker.io/library/node:20`).
    package var reference: String
    /// The manifest's digest, `sha256:` and 64 hex digits.
    package var digest: String

    /// Makes an image value.
    package init(reference: String, digest: String) {
        self.reference = reference
        self.digest = digest
    }

    /// The digest as people read it: `sha256:` and the first 12 hex digits.
    package var shortDigest: String {
        let prefix = "sha256:"
        guard digest.hasPrefix(prefix) else { return String(digest.prefix(19)) }
        return prefix + digest.dropFirst(prefix.count).prefix(12)
    }
}

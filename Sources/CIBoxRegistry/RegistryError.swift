// cibox — CI in a box. MIT licence, see LICENSE.

/// Why an image could not be pulled, with the registry's answer and what to do.
package struct RegistryError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        /// The registry could not be reached (no such host, connection refused, timeout, TLS).
        case unreachable
        /// The registry refused the credentials, or asked for some and had none.
        case unauthorized
        /// The registry has no such repository, tag or digest.
        case notFound
        /// skopeo is not installed (or `CIBOX_SKOPEO` names nothing runnable).
        case noClient
        /// The registry answered with something cibox cannot use (no image for this machine, a damaged manifest).
        case badImage
        /// A pull was refused by settings (`pull: never`), or the credentials file is damaged.
        case refused
        /// Anything else skopeo reported.
        case failed
    }

    /// The kind of fault.
    package var code: Code
    /// What failed and what to do, naming the image and the registry.
    package var message: String

    /// Makes an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

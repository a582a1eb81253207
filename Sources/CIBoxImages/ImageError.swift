// cibox — CI in a box. MIT licence, see LICENSE.

/// Why an image could not be loaded, found, unpacked or removed.
package struct ImageError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        /// A reference that is not a valid image name.
        case badReference
        /// An archive or layout that cannot be read: truncated, corrupt, a missing or malformed file.
        case badArchive
        /// A blob whose content does not match its digest or size.
        case digestMismatch
        /// A media type or schema cibox does not know.
        case unsupported
        /// No image for this machine's platform.
        case wrongPlatform
        /// No image under this reference.
        case notFound
        /// A layer entry that would write outside the root.
        case unsafeLayer
        /// The store's folder or index could not be read or written.
        case io
    }

    /// The kind of fault.
    package var code: Code
    /// What failed, naming the file or reference and what is wrong with it.
    package var message: String

    /// Makes an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

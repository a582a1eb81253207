// cibox — CI in a box. MIT licence, see LICENSE.

/// Why an archive could not be written or unpacked.
package struct ArchiveError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        /// libarchive reported a failure (a file it could not read or write, a damaged archive).
        case archive
        /// An entry would be written outside its target folder (absolute, `..`, or through a symbolic link).
        case unsafeEntry
        /// A folder could not be made or resolved.
        case io
    }

    /// The kind of fault.
    package var code: Code
    /// What failed, on what, and why; names the archive and the entry.
    package var message: String
    /// The underlying error, when there was one.
    package var cause: (any Error)?

    /// Makes an error.
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    package var description: String { message }
}

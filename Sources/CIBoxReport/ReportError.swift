// cibox — CI in a box. MIT licence, see LICENSE.

/// A failure to write the report: the store could not be read, or a page could not be written.
package struct ReportError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    package enum Code: String, Sendable {
        /// The history could not be read.
        case store
        /// A file or folder of the report could not be written.
        case write
    }

    /// The kind of failure.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String

    /// The underlying error (the store's, a file system call's), when there was one.
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

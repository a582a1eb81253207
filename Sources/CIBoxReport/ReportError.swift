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

    /// Makes an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}

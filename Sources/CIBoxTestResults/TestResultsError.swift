// cibox — CI in a box. MIT licence, see LICENSE.

/// A failure to find or read test results, or to list tests for splitting.
package struct TestResultsError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    package enum Code: String, Sendable {
        /// A path given by the config or the user does not exist.
        case notFound
        /// A file or folder could not be read.
        case unreadable
        /// An argument is out of range or malformed.
        case invalidArgument
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

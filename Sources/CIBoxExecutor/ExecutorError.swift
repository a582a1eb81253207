// cibox — CI in a box. MIT licence, see LICENSE.

/// A fault of cibox while preparing or running a job (never a user command's failure, which is a result).
package struct ExecutorError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        case spawnFailed
        case workspace
        case logFile
    }

    /// The kind of fault.
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

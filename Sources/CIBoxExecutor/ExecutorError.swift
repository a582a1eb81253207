// cibox — CI in a box. MIT licence, see LICENSE.

/// A fault of cibox while preparing or running a job (never a user command's failure, which is a result).
package struct ExecutorError: Error, CustomStringConvertible, Sendable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        case spawnFailed
        case workspace
        case logFile
        /// libarchive reported a failure.
        case archive
        /// An archive entry would be written outside its target folder.
        case unsafeEntry
        /// A file or folder of the store could not be read or written.
        case io
        /// A cache key template could not be rendered.
        case template
        /// The job's user may not read or write a path a built-in step was given.
        case refused
    }

    /// The kind of fault.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String

    /// The underlying error (a system call's, libarchive's, Foundation's), when there was one.
    package var cause: (any Error)?

    /// Makes an error.
    /// - Parameter cause: the error underneath, kept for `--verbose` output and logs.
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    package var description: String { message }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// A fault while talking to Slurm or preparing a job for it (never a job's own failure, which is a result).
package struct SlurmError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of fault.
    package enum Code: String, Sendable {
        /// A Slurm command could not run, timed out, or failed.
        case command
        /// `sbatch` refused the job.
        case submit
        /// The job's folder in the shared folder could not be written or read.
        case folder
        /// The agent's request could not be read or is of another cibox.
        case request
    }

    /// The kind of fault.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String

    /// The underlying error (a command that could not start, a file system call), when there was one.
    package var cause: (any Error)?

    /// Makes an error.
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    package var description: String { message }

    /// Errors are equal when their code and message are (the cause is detail).
    package static func == (lhs: SlurmError, rhs: SlurmError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }
}

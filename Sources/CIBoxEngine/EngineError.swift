// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Why a pipeline could not be made or run (the pipeline's own failures are results, not errors).
package struct EngineError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem; each maps to an exit code in the CLI.
    package enum Code: String, Sendable {
        case noRepository
        case noConfig
        case invalidConfig
        case nothingToRun
        case store
        case notFound
        /// Input that is not what the command reads (a malformed pre-push line).
        case usage
    }

    /// The kind of problem.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String
    /// The config's diagnostics, for `invalidConfig`.
    package var diagnostics: [Diagnostic]
    /// The pipeline recorded as `error` for an `invalidConfig` (``PipelineEngine/prepare(_:)`` records one).
    package var pipeline: Pipeline?

    /// The underlying error (the store's, git's, the settings'), when there was one.
    package var cause: (any Error)?

    /// Makes an error.
    package init(_ code: Code, _ message: String, diagnostics: [Diagnostic] = [], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
        self.cause = cause
    }

    /// The message.
    package var description: String { message }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Where the problems of one reading (a config's compilation, an orb check, a settings file) are collected, in the
/// order found.
///
/// A reference, so that the passes of one reading share it without handing it back and forth. Not thread-safe: one
/// reading runs on one thread, and the sink lives only as long as the reading.
package final class DiagnosticSink {
    /// The problems found so far, in the order found.
    package private(set) var diagnostics: [Diagnostic] = []

    /// Makes an empty sink.
    package init() {}

    /// Records an error.
    package func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: location, message, hint: hint))
    }

    /// Records a warning.
    package func warning(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, at: location, message, hint: hint))
    }

    /// Records diagnostics found elsewhere (such as an orb file's YAML errors).
    package func append(_ more: [Diagnostic]) {
        diagnostics += more
    }

    /// How many errors have been recorded so far.
    package var errorCount: Int { diagnostics.count { $0.severity == .error } }
}

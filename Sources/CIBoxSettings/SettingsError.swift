// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Why `settings.yml` cannot be used.
package struct SettingsError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem.
    package enum Code: String, Sendable {
        /// The file has errors (see ``SettingsError/diagnostics``).
        case invalid
    }

    /// The kind of problem.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String
    /// Every problem found in the file, with its line.
    package var diagnostics: [Diagnostic]

    /// Makes an error.
    package init(_ code: Code, _ message: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    /// The message.
    package var description: String { message }
}

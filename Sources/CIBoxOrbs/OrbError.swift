// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Why an orb could not be packed, added or removed (a config's missing orb is a diagnostic, not this error).
package struct OrbError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem.
    package enum Code: String, Sendable {
        /// The orb has errors (see ``OrbError/diagnostics``), or its name is not one version.
        case invalid
        /// An orb source folder to pack is not a folder.
        case notAFolder
        /// The orb store could not be written, or already has the version.
        case store
        /// The orb store does not have the version.
        case notFound
    }

    /// The kind of problem.
    package var code: Code
    /// What failed, on what, and what to do.
    package var message: String
    /// The orb's diagnostics, for `invalid`.
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

// cibox — CI in a box. MIT licence, see LICENSE.

/// A place in a source file, 1-based.
package struct SourceLocation: Codable, Sendable, Equatable, Hashable {
    /// The file as the user named it (a path relative to the repository, or as given).
    package var file: String
    /// 1-based line.
    package var line: Int
    /// 1-based column.
    package var column: Int

    /// Makes a location.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
}

/// How bad a diagnostic is.
package enum DiagnosticSeverity: String, Codable, Sendable {
    case error
    case warning
}

/// One problem found in a config, with where it is and what to do.
package struct Diagnostic: Codable, Sendable, Equatable, Hashable {
    /// Error or warning.
    package var severity: DiagnosticSeverity
    /// Where it is.
    package var location: SourceLocation
    /// What is wrong, quoting the key or value.
    package var message: String
    /// What to do about it, if there is something to say.
    package var hint: String?

    /// Makes a diagnostic.
    package init(_ severity: DiagnosticSeverity, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `FILE:LINE:COLUMN: error|warning: MESSAGE`, then `  hint: HINT` on a second line when there is a hint.
    package var formatted: String { formatted(showing: { $0 }) }

    /// ``formatted`` with the file, the message and the hint each passed through `show` first (the CLI escapes
    /// their control characters for a terminal; the line structure stays cibox's).
    package func formatted(showing show: (String) -> String) -> String {
        var text = "\(show(location.file)):\(location.line):\(location.column): \(severity.rawValue): \(show(message))"
        if let hint { text += "\n  hint: \(show(hint))" }
        return text
    }
}

extension Array where Element == Diagnostic {
    /// Whether any of the diagnostics is an error.
    package var containsError: Bool { contains { $0.severity == .error } }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Text for a terminal in which every interpolated value is shown, never obeyed.
///
/// Names, messages and paths come from configs, jobs, the store and the file system: a job named
/// `"a\u{1B}[2J"` must not clear the screen, and a step named `"x\nFAKE: ok"` must not print a line cibox did
/// not write. So the literal parts of a `TerminalString` are cibox's own text (its line breaks, the job board's
/// cursor movements), and every interpolated value is escaped by ``escaped(_:)``: its control characters appear
/// as visible escapes (`\x1b`, `\n`) on the line they belong to. The only ways to insert text as it is are the
/// named ``init(verbatim:)`` (for job output already made safe by ``TerminalText``) and interpolating another
/// `TerminalString`.
///
/// Output meant for programs (`--json`, `cibox logs`, `cibox orb pack`, `circleci tests` lists) is data, not
/// text for people, and goes out unchanged through ``Terminal``'s data methods.
struct TerminalString: ExpressibleByStringInterpolation, Equatable, Sendable {
    /// The text, safe to write to a terminal.
    private(set) var text: String

    /// Cibox's own text, written as it is.
    init(stringLiteral value: String) {
        text = value
    }

    /// Literal parts as they are, interpolated values escaped.
    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    /// Text that is already safe for a terminal (job output passed through ``TerminalText/sanitized(_:keepsColors:)``),
    /// written as it is.
    init(verbatim text: String) {
        self.text = text
    }

    /// Builds a `TerminalString` from literal parts and escaped values.
    struct StringInterpolation: StringInterpolationProtocol {
        /// The text so far.
        var text = ""

        /// Reserves room for the literal parts.
        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// Appends cibox's own text.
        mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Appends a name, message, path or number with its control characters escaped.
        mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            text += TerminalString.escaped(value.description)
        }

        /// Appends text that is already safe.
        mutating func appendInterpolation(_ value: TerminalString) {
            text += value.text
        }

        /// Appends a message of several lines (a failure message quoting a program's output): each line escaped,
        /// the line breaks kept, and every line after the first indented by `indent`, so that no line of the
        /// message can pass for one of cibox's own.
        mutating func appendInterpolation(lines value: String, indent: String) {
            text += LogTail.split(value).map(TerminalString.escaped).joined(separator: "\n" + indent)
        }
    }

    /// `value` with every control character made visible, so that it stays on its line and drives nothing.
    ///
    /// Tab, line feed and carriage return become `\t`, `\n` and `\r`; the other C0 controls, DEL and the C1 controls
    /// (U+0080–U+009F, which some terminals obey like ESC sequences) become `\xHH` with two lowercase hex digits:
    /// ESC is `\x1b`. Everything else, backslashes and non-ASCII text included, is kept.
    static func escaped(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: isControl) else { return value }
        var output = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            guard isControl(scalar) else {
                output.append(scalar)
                continue
            }
            let visible: String
            switch scalar {
            case "\t": visible = "\\t"
            case "\n": visible = "\\n"
            case "\r": visible = "\\r"
            default:
                let hex = String(scalar.value, radix: 16)
                visible = "\\x" + (hex.count < 2 ? "0" : "") + hex
            }
            output.append(contentsOf: visible.unicodeScalars)
        }
        return String(output)
    }

    /// Whether `scalar` is a C0 control, DEL or a C1 control.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The two texts one after the other.
    static func + (lhs: TerminalString, rhs: TerminalString) -> TerminalString {
        TerminalString(verbatim: lhs.text + rhs.text)
    }

    /// Appends `rhs`.
    static func += (lhs: inout TerminalString, rhs: TerminalString) {
        lhs.text += rhs.text
    }

    /// Whether there is no text.
    var isEmpty: Bool { text.isEmpty }
}

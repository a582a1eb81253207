// cibox — CI in a box. MIT licence, see LICENSE.

/// A fragment of HTML whose dynamic parts are escaped by construction.
///
/// Markup comes only from string literals written in cibox's code; every `String` interpolated into a literal
/// is escaped (text and quoted attribute values alike), and numbers are written as numbers. The one way to
/// turn an arbitrary string into markup is the explicitly named ``init(trustedMarkup:)``, used only for markup
/// this module built itself (the CSS, the refresh script).
///
/// ```swift
/// let name = "<script>"
/// let row: HTML = "<td class=\"name\">\(name)</td>"   // <td class="name">&lt;script&gt;</td>
/// ```
package struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    package private(set) var markup: String

    /// Markup that needs no escaping because cibox wrote it; never call it with text from a job or a config.
    package init(trustedMarkup: String) {
        markup = trustedMarkup
    }

    /// A literal written in code: trusted markup.
    package init(stringLiteral value: String) {
        markup = value
    }

    /// A literal with interpolations: literal parts are trusted, interpolated strings are escaped.
    package init(stringInterpolation: Interpolation) {
        markup = stringInterpolation.markup
    }

    /// No markup.
    package static let empty = HTML(trustedMarkup: "")

    /// `text`, escaped for HTML text and quoted attribute values.
    package static func text(_ text: String) -> HTML {
        HTML(trustedMarkup: escape(text))
    }

    /// The markup (for writing a file).
    package var description: String { markup }

    /// Whether there is no markup.
    package var isEmpty: Bool { markup.isEmpty }

    /// Appends `other`.
    package static func += (lhs: inout HTML, rhs: HTML) {
        lhs.markup += rhs.markup
    }

    /// `lhs` followed by `rhs`.
    package static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(trustedMarkup: lhs.markup + rhs.markup)
    }

    /// Builds a literal: literal segments are kept, values are escaped.
    package struct Interpolation: StringInterpolationProtocol {
        /// The markup so far.
        var markup = ""

        /// Reserves room for the literal.
        package init(literalCapacity: Int, interpolationCount: Int) {
            markup.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// A literal part of the code: trusted.
        package mutating func appendLiteral(_ literal: String) {
            markup += literal
        }

        /// A string value: escaped.
        package mutating func appendInterpolation(_ value: String) {
            markup += HTML.escape(value)
        }

        /// An optional string value: escaped; nothing when nil.
        package mutating func appendInterpolation(_ value: String?) {
            if let value { markup += HTML.escape(value) }
        }

        /// A substring value: escaped.
        package mutating func appendInterpolation(_ value: Substring) {
            markup += HTML.escape(String(value))
        }

        /// Markup built by this module: inserted as it is.
        package mutating func appendInterpolation(_ value: HTML) {
            markup += value.markup
        }

        /// A list of fragments, one after the other.
        package mutating func appendInterpolation(_ values: [HTML]) {
            for value in values { markup += value.markup }
        }

        /// An integer, as decimal digits.
        package mutating func appendInterpolation<Value: BinaryInteger>(_ value: Value) {
            markup += String(value)
        }
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that it is safe as text and
    /// inside quoted attribute values; control characters, which HTML forbids, become visible symbols (NUL is
    /// `␀`), and noncharacters become U+FFFD.
    package static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: needsCare) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars { appendEscaped(scalar, to: &escaped) }
        return escaped
    }

    /// Appends `scalar` to `markup`, escaped as ``escape(_:)`` does.
    package static func appendEscaped(_ scalar: Unicode.Scalar, to markup: inout String) {
        switch scalar.value {
        case 0x26: markup += "&amp;"
        case 0x3C: markup += "&lt;"
        case 0x3E: markup += "&gt;"
        case 0x22: markup += "&quot;"
        case 0x27: markup += "&#39;"
        case 0x09, 0x0A, 0x0C, 0x0D: markup.unicodeScalars.append(scalar)
        case 0x00..<0x20: markup.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}")
        case 0x7F: markup += "\u{2421}"
        case 0x80...0x9F, 0xFDD0...0xFDEF: markup += "\u{FFFD}"
        case let value where value & 0xFFFE == 0xFFFE: markup += "\u{FFFD}"
        default: markup.unicodeScalars.append(scalar)
        }
    }

    /// Whether a UTF-8 byte may start something ``escape(_:)`` changes (any non-ASCII byte is looked at).
    private static func needsCare(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x26, 0x3C, 0x3E, 0x22, 0x27, 0x7F, 0x80...: true
        case 0x09, 0x0A, 0x0C, 0x0D: false
        case ..<0x20: true
        default: false
        }
    }
}

extension Array where Element == HTML {
    /// The fragments joined with `separator`.
    package func joined(separator: HTML = .empty) -> HTML {
        var result = HTML.empty
        for (index, fragment) in enumerated() {
            if index > 0 { result += separator }
            result += fragment
        }
        return result
    }
}

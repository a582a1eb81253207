// cibox — CI in a box. MIT licence, see LICENSE.

/// What YAML 1.1 reads a plain (unquoted, untagged) scalar as, by the rules of Yams' default resolver, decided
/// without regular expressions.
///
/// Yams' `Resolver.default` matches each text against seven `NSRegularExpression`s, whose set-up loads ICU data
/// (about 2 ms of every process that reads a config). This type gives the same answer, rule for rule and in the same
/// order (bool, int, float, merge, null, timestamp, value; the first that matches wins, else a string), so that the
/// reader can compose with Yams' rule-less resolver. Like the regular expressions' `$`, a rule also matches when the
/// text ends with one line terminator after what it matches.
package enum PlainScalarKind: String, Sendable, CaseIterable {
    case bool, int, float, merge, null, timestamp, value, str

    /// The YAML tag that Yams gives this kind (`tag:yaml.org,2002:int`).
    package var tagName: String { "tag:yaml.org,2002:\(rawValue)" }

    /// The kind of the plain scalar `text`.
    ///
    /// - Parameter text: The scalar's text, as the parser gives it.
    package init(of text: String) {
        var bytes = Array(text.utf8)[...]
        Self.dropLineTerminator(&bytes)
        self = Self.kind(of: bytes)
    }

    /// The first rule that matches `bytes` whole.
    private static func kind(of bytes: ArraySlice<UInt8>) -> Self {
        if isBool(bytes) { return .bool }
        if isInt(bytes) { return .int }
        if isFloat(bytes) { return .float }
        if bytes.elementsEqual("<<".utf8) { return .merge }
        if bytes.isEmpty || ["~", "null", "Null", "NULL"].contains(where: { bytes.elementsEqual($0.utf8) }) {
            return .null
        }
        if isTimestamp(bytes) { return .timestamp }
        if bytes.elementsEqual("=".utf8) { return .value }
        return .str
    }

    /// Drops one line terminator at the end (`\n`, `\r\n`, `\r`, `\u{0B}`, `\u{0C}`, `\u{85}`, `\u{2028}`,
    /// `\u{2029}`), where ICU's `$` also matches.
    private static func dropLineTerminator(_ bytes: inout ArraySlice<UInt8>) {
        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D { bytes.removeLast() }
        } else if let last = bytes.last, (0x0B...0x0D).contains(last) {
            bytes.removeLast()
        } else if bytes.suffix(2).elementsEqual([0xC2, 0x85]) {
            bytes.removeLast(2)
        } else if bytes.suffix(3).elementsEqual([0xE2, 0x80, 0xA8])
            || bytes.suffix(3).elementsEqual([0xE2, 0x80, 0xA9])
        {
            bytes.removeLast(3)
        }
    }

    static let boolWords = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    static func isBool(_ bytes: ArraySlice<UInt8>) -> Bool {
        boolWords.contains { bytes.elementsEqual($0.utf8) }
    }

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// Whether every byte is a digit or `_` and there is at least one, with `allowed` the digits.
    static func isRun(_ bytes: ArraySlice<UInt8>, of allowed: (UInt8) -> Bool) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 == UInt8(ascii: "_") || allowed($0) }
    }

    /// `bytes` without one leading `-` or `+`.
    static func unsigned(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") ? bytes.dropFirst() : bytes
    }

    /// `(?::[0-5]?[0-9])+`: one or more `:` each followed by one digit, or two whose first is 0 to 5.
    static func isSexagesimalTail(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.first == UInt8(ascii: ":") else { return false }
        return bytes.dropFirst().split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).allSatisfy {
            part in
            switch part.count {
            case 1: isDigit(part[part.startIndex])
            case 2: (0x30...0x35).contains(part[part.startIndex]) && isDigit(part[part.startIndex + 1])
            default: false
            }
        }
    }

    /// A digit that `firstDigit` accepts and `[0-9_]*`, then the rest from the first `:` (`190` and `:20:30`); `nil`
    /// when the text does not start so.
    static func splitSexagesimal(_ bytes: ArraySlice<UInt8>, firstDigit: (UInt8) -> Bool)
        -> (head: ArraySlice<UInt8>, tail: ArraySlice<UInt8>)?
    {
        guard let first = bytes.first, firstDigit(first), let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            return nil
        }
        let head = bytes[..<colon]
        guard isRun(head.dropFirst(), of: isDigit) || head.count == 1 else { return nil }
        return (head, bytes[colon...])
    }

    static func isInt(_ bytes: ArraySlice<UInt8>) -> Bool {
        let body = unsigned(bytes)
        guard let first = body.first else { return false }
        if body.starts(with: "0b".utf8), isRun(body.dropFirst(2), of: { $0 == 0x30 || $0 == 0x31 }) { return true }
        if body.starts(with: "0x".utf8), isRun(body.dropFirst(2), of: isHexDigit) { return true }
        if first == UInt8(ascii: "0") {
            let octal = body.dropFirst().first == UInt8(ascii: "o") ? body.dropFirst(2) : body.dropFirst()
            if isRun(octal, of: { (0x30...0x37).contains($0) }) { return true }
            return body.count == 1
        }
        if isDigit(first), isRun(body.dropFirst(), of: isDigit) || body.count == 1 { return true }
        if let (_, tail) = splitSexagesimal(body, firstDigit: { (0x31...0x39).contains($0) }) {
            return isSexagesimalTail(tail)
        }
        return false
    }

    static func isFloat(_ bytes: ArraySlice<UInt8>) -> Bool {
        let body = unsigned(bytes)
        if isDecimalFloat(body) { return true }
        // `\.[0-9_]+(?:[eE][-+][0-9]+)?`, unsigned.
        if bytes.first == UInt8(ascii: "."), isFractionWithSignedExponent(bytes.dropFirst()) { return true }
        // `[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*`
        if let (_, tail) = splitSexagesimal(body, firstDigit: isDigit),
            let dot = tail.firstIndex(of: UInt8(ascii: ".")),
            isSexagesimalTail(tail[..<dot]), tail[(dot + 1)...].allSatisfy({ $0 == UInt8(ascii: "_") || isDigit($0) })
        {
            return true
        }
        if [".inf", ".Inf", ".INF"].contains(where: { body.elementsEqual($0.utf8) }) { return true }
        return [".nan", ".NaN", ".NAN"].contains { bytes.elementsEqual($0.utf8) }
    }

    /// `[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?`
    static func isDecimalFloat(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, isDigit(first) else { return false }
        var rest = bytes.dropFirst().drop { $0 == UInt8(ascii: "_") || isDigit($0) }
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst().drop { $0 == UInt8(ascii: "_") || isDigit($0) }
        }
        guard let marker = rest.first else { return true }
        guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return false }
        let exponent = unsigned(rest.dropFirst())
        return !exponent.isEmpty && exponent.allSatisfy(isDigit)
    }

    /// `[0-9_]+(?:[eE][-+][0-9]+)?`, the part after a leading dot.
    static func isFractionWithSignedExponent(_ bytes: ArraySlice<UInt8>) -> Bool {
        let fraction = bytes.prefix { $0 == UInt8(ascii: "_") || isDigit($0) }
        guard !fraction.isEmpty else { return false }
        let rest = bytes[fraction.endIndex...]
        guard let marker = rest.first else { return true }
        guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return false }
        let signed = rest.dropFirst()
        guard signed.first == UInt8(ascii: "-") || signed.first == UInt8(ascii: "+") else { return false }
        let exponent = signed.dropFirst()
        return !exponent.isEmpty && exponent.allSatisfy(isDigit)
    }

    /// `YYYY-MM-DD`, or `YYYY-M-D` with a time (`T`, `t` or blanks before it), optional fraction and zone.
    static func isTimestamp(_ bytes: ArraySlice<UInt8>) -> Bool {
        var cursor = Cursor(bytes)
        guard cursor.digits(4...4), cursor.skip("-") else { return false }
        if cursor.digits(2...2), cursor.skip("-"), cursor.digits(2...2), cursor.isAtEnd { return true }
        cursor = Cursor(bytes.dropFirst(5))
        guard cursor.digits(1...2), cursor.skip("-"), cursor.digits(1...2) else { return false }
        if !cursor.skip("T"), !cursor.skip("t"), cursor.blanks() == 0 { return false }
        guard cursor.digits(1...2), cursor.skip(":"), cursor.digits(2...2), cursor.skip(":"), cursor.digits(2...2)
        else { return false }
        if cursor.skip(".") { _ = cursor.digits(0...Int.max) }
        if cursor.isAtEnd { return true }
        _ = cursor.blanks()
        if cursor.skip("Z") { return cursor.isAtEnd }
        guard cursor.skip("-") || cursor.skip("+"), cursor.digits(1...2) else { return false }
        if cursor.skip(":") { guard cursor.digits(2...2) else { return false } }
        return cursor.isAtEnd
    }

    /// A position in a timestamp's bytes, moved by what it matches.
    struct Cursor {
        var rest: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

        var isAtEnd: Bool { rest.isEmpty }

        /// Takes as many digits as there are, within `count`; whether their number is in `count`.
        mutating func digits(_ count: ClosedRange<Int>) -> Bool {
            let run = rest.prefix(while: PlainScalarKind.isDigit).prefix(count.upperBound)
            guard count.contains(run.count) else { return false }
            rest = rest[run.endIndex...]
            return true
        }

        /// Takes `character` if it is next.
        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard rest.first == UInt8(ascii: character) else { return false }
            rest = rest.dropFirst()
            return true
        }

        /// Takes spaces and tabs; how many.
        mutating func blanks() -> Int {
            let run = rest.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            rest = rest[run.endIndex...]
            return run.count
        }
    }
}

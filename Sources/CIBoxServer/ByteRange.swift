// cibox — CI in a box. MIT licence, see LICENSE.

/// The part of a body a `Range: bytes=…` header asks for (RFC 9110 §14): one range only; a header that is not a
/// single byte range is ignored, as the RFC allows, and the whole body is sent.
enum ByteRange: Equatable {
    /// The whole body (no `Range`, or one cibox ignores).
    case whole
    /// These bytes (within the body).
    case part(ClosedRange<Int>)
    /// A range that starts past the end (416).
    case unsatisfiable

    /// What `header` asks for of a body of `length` bytes.
    static func resolve(_ header: String?, length: Int) -> ByteRange {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let (startText, endText) = (spec[..<dash], spec[spec.index(after: dash)...])
        guard startText.allSatisfy(\.isASCIIDigit), endText.allSatisfy(\.isASCIIDigit) else { return .whole }
        if startText.isEmpty {
            // `bytes=-N`: the last N bytes.
            guard let suffix = Int(endText) else { return .whole }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .part(max(0, length - suffix)...(length - 1))
        }
        guard let start = Int(startText) else { return .whole }
        let end = endText.isEmpty ? length - 1 : (Int(endText).map { min($0, length - 1) } ?? length - 1)
        if !endText.isEmpty, let last = Int(endText), last < start { return .whole }
        guard start < length else { return .unsatisfiable }
        return .part(start...end)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// CircleCI's duration strings, as in `no_output_timeout`: `30s`, `10m`, `1.25h`, `1h30m`, or `90` (seconds).
package enum CircleDuration {
    /// The number of seconds `text` stands for, or `nil` when it is not a duration.
    ///
    /// - Parameter text: A sequence of `NUMBER[UNIT]` parts, unit `h`, `m` or `s`; a lone number is seconds.
    /// - Returns: The total in seconds; `nil` for an empty, negative or malformed text.
    package static func seconds(from text: String) -> Double? {
        var total = 0.0
        var number = ""
        var sawPart = false
        for character in text.trimmingWhitespace() {
            if character.isASCII, character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number), let unit = unitSeconds(character) else { return nil }
            total += value * unit
            number = ""
            sawPart = true
        }
        if !number.isEmpty {
            guard let value = Double(number) else { return nil }
            total += value
            sawPart = true
        }
        return sawPart ? total : nil
    }

    private static func unitSeconds(_ unit: Character) -> Double? {
        switch unit {
        case "h": 3600
        case "m": 60
        case "s": 1
        default: nil
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Job output made safe to print on a terminal: what a job prints is data, and a log line must not move the
/// cursor, clear the screen, set the window title, ring the bell or hide text.
///
/// Colour and style sequences (`ESC [ … m`) are kept when `keepsColors` (the output is a terminal) and dropped
/// otherwise; every other escape sequence (CSI, OSC, DCS, …) is dropped; other control characters (NUL, BEL,
/// backspace, carriage return, DEL and the C1 controls) are shown in caret form (`^@`, `^G`, `^?`) or as
/// `\u{FFFD}`. Tabs stay; of a line redrawn with carriage returns only the last part shows. Invalid UTF-8 was
/// already replaced when the log was read.
enum TerminalText {
    /// `line` (one line, without its newline) made safe for a terminal.
    static func sanitized(_ line: String, keepsColors: Bool) -> String {
        var output = String.UnicodeScalarView()
        // A carriage return redraws the line (progress bars): show what the terminal would, the last part.
        var visible = line.hasSuffix("\r") ? String(line.dropLast()) : line
        if let lastReturn = visible.lastIndex(of: "\r") {
            visible = String(visible[visible.index(after: lastReturn)...])
        }
        var scalars = visible.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x1B:
                let sequence = escapeSequence(&scalars)
                if keepsColors, sequence.isColor { output.append(contentsOf: "\u{1B}".unicodeScalars + sequence.text) }
            case 0x09:
                output.append(scalar)
            case 0x00..<0x20:
                output.append(contentsOf: "^\(Character(Unicode.Scalar(UInt8(scalar.value + 0x40))))".unicodeScalars)
            case 0x7F:
                output.append(contentsOf: "^?".unicodeScalars)
            case 0x80..<0xA0:
                output.append("\u{FFFD}")
            default:
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// Consumes the escape sequence after an ESC: its text (without the ESC) and whether it sets colours.
    private static func escapeSequence(_ scalars: inout Substring.UnicodeScalarView) -> (
        text: String.UnicodeScalarView, isColor: Bool
    ) {
        var text = String.UnicodeScalarView()
        guard let introducer = scalars.popFirst() else { return (text, false) }
        text.append(introducer)
        switch introducer {
        case "[":
            // CSI: parameter and intermediate bytes, then one final byte in 0x40...0x7E.
            while let next = scalars.popFirst() {
                text.append(next)
                if (0x40...0x7E).contains(next.value) {
                    let parameters = text.dropFirst().dropLast()
                    let isColor = next == "m" && parameters.allSatisfy { ("0"..."9").contains($0) || $0 == ";" }
                    return (text, isColor)
                }
                if !(0x20...0x3F).contains(next.value) { break }
            }
            return (text, false)
        case "]", "P", "X", "^", "_":
            // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \).
            while let next = scalars.popFirst() {
                if next.value == 0x07 { break }
                if next.value == 0x1B {
                    if scalars.first == "\\" { scalars.removeFirst() }
                    break
                }
            }
            return (text, false)
        default:
            return (text, false)
        }
    }
}

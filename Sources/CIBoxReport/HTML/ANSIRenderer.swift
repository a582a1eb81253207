// cibox — CI in a box. MIT licence, see LICENSE.

/// Turns a job's raw output into HTML: ANSI SGR colours and attributes become `<span>`s with classes, every
/// other escape sequence is dropped, invalid UTF-8 shows as U+FFFD and NUL as `␀`, and a carriage return
/// that is not part of a line ending rewrites its line (the last state of a progress bar is shown).
///
/// Classes: `b` bold, `d` dim, `i` italic, `u` underline, `fg0`…`fg15` and `bg0`…`bg15` for the 16 standard
/// colours (30–37, 90–97, 40–47, 100–107, and 38;5/48;5 below 16); other 256-colour and truecolor values
/// become an inline `style` with a hex colour cibox computed.
package enum ANSIRenderer {
    /// The HTML of `bytes` (without the surrounding `<pre>`).
    package static func render(_ bytes: some Collection<UInt8>) -> HTML {
        var state = RenderState()
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar.value {
            case 0x1B:
                index = skipEscape(scalars, from: index + 1, state: &state)
                continue
            case 0x0D:
                if index + 1 < scalars.count, scalars[index + 1].value == 0x0A {
                    break
                }
                state.rewriteLine()
            case 0x0A:
                state.endLine()
            default:
                state.append(scalar)
            }
            index += 1
        }
        state.endLine(final: true)
        return HTML(trustedMarkup: state.output)
    }

    /// Skips the escape sequence after an ESC at `start - 1`, applying it when it is SGR.
    /// - Returns: the index after the sequence.
    private static func skipEscape(_ scalars: [Unicode.Scalar], from start: Int, state: inout RenderState) -> Int {
        guard start < scalars.count else { return start }
        switch scalars[start] {
        case "[":
            var index = start + 1
            var parameters = ""
            while index < scalars.count, (0x20...0x3F).contains(scalars[index].value) {
                parameters.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard index < scalars.count else { return index }
            if scalars[index] == "m" { state.style.apply(sgr: parameters) }
            return (0x40...0x7E).contains(scalars[index].value) ? index + 1 : index
        case "]", "P", "X", "^", "_":
            // A string sequence (OSC, DCS, …): up to BEL or ST (ESC \).
            var index = start + 1
            while index < scalars.count {
                if scalars[index].value == 0x07 { return index + 1 }
                if scalars[index].value == 0x1B {
                    return index + 1 < scalars.count && scalars[index + 1] == "\\" ? index + 2 : index + 1
                }
                index += 1
            }
            return index
        default:
            // ESC, any intermediate bytes, one final character (ESC c, ESC 7, ESC ( B, …).
            var index = start
            while index < scalars.count, (0x20...0x2F).contains(scalars[index].value) { index += 1 }
            return min(index + 1, scalars.count)
        }
    }
}

/// The text attributes SGR sequences set.
struct TextStyle: Equatable {
    /// SGR 1.
    var bold = false
    /// SGR 2.
    var dim = false
    /// SGR 3.
    var italic = false
    /// SGR 4.
    var underline = false
    /// SGR 30–37, 90–97, 38;5;N, 38;2;R;G;B; nil for the default.
    var foreground: TextColor?
    /// SGR 40–47, 100–107, 48;5;N, 48;2;R;G;B; nil for the default.
    var background: TextColor?

    /// Whether no attribute is set.
    var isPlain: Bool { self == TextStyle() }

    /// Applies the parameters of one `ESC [ … m` sequence.
    mutating func apply(sgr parameters: String) {
        let codes = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        var index = 0
        while index < codes.count {
            let code = codes[index]
            switch code {
            case 0: self = TextStyle()
            case 1: bold = true
            case 2: dim = true
            case 3: italic = true
            case 4: underline = true
            case 22:
                bold = false
                dim = false
            case 23: italic = false
            case 24: underline = false
            case 30...37: foreground = .standard(code - 30)
            case 90...97: foreground = .standard(code - 90 + 8)
            case 39: foreground = nil
            case 40...47: background = .standard(code - 40)
            case 100...107: background = .standard(code - 100 + 8)
            case 49: background = nil
            case 38, 48:
                let (color, used) = Self.extendedColor(codes, after: index)
                if code == 38 { foreground = color ?? foreground } else { background = color ?? background }
                index += used
            default: break
            }
            index += 1
        }
    }

    /// The colour of `38;5;N` or `38;2;R;G;B` (and 48), and how many codes after `index` it used.
    private static func extendedColor(_ codes: [Int], after index: Int) -> (TextColor?, Int) {
        guard index + 1 < codes.count else { return (nil, 0) }
        switch codes[index + 1] {
        case 5:
            guard index + 2 < codes.count else { return (nil, 1) }
            let number = codes[index + 2]
            guard (0...255).contains(number) else { return (nil, 2) }
            return (number < 16 ? .standard(number) : .rgb(Self.xterm256(number)), 2)
        case 2:
            guard index + 4 < codes.count else { return (nil, codes.count - index - 1) }
            let parts = codes[(index + 2)...(index + 4)].map { min(255, max(0, $0)) }
            return (.rgb((parts[0], parts[1], parts[2])), 4)
        default:
            return (nil, 1)
        }
    }

    /// The RGB value of xterm colour `number` (16–255).
    private static func xterm256(_ number: Int) -> (Int, Int, Int) {
        if number >= 232 {
            let level = 8 + (number - 232) * 10
            return (level, level, level)
        }
        let cube = number - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[cube / 36], steps[(cube / 6) % 6], steps[cube % 6])
    }

    /// The opening tag of a span with this style.
    var openingTag: String {
        var classes: [String] = []
        var styles: [String] = []
        if bold { classes.append("b") }
        if dim { classes.append("d") }
        if italic { classes.append("i") }
        if underline { classes.append("u") }
        switch foreground {
        case .standard(let number): classes.append("fg\(number)")
        case .rgb(let rgb): styles.append("color:\(Self.hex(rgb))")
        case nil: break
        }
        switch background {
        case .standard(let number): classes.append("bg\(number)")
        case .rgb(let rgb): styles.append("background-color:\(Self.hex(rgb))")
        case nil: break
        }
        var tag = "<span"
        if !classes.isEmpty { tag += " class=\"\(classes.joined(separator: " "))\"" }
        if !styles.isEmpty { tag += " style=\"\(styles.joined(separator: ";"))\"" }
        return tag + ">"
    }

    private static func hex(_ rgb: (Int, Int, Int)) -> String {
        let digits = Array("0123456789abcdef")
        var text = "#"
        for value in [rgb.0, rgb.1, rgb.2] {
            text.append(digits[value / 16])
            text.append(digits[value % 16])
        }
        return text
    }
}

/// A terminal colour: one of the 16 standard ones, or an RGB value.
enum TextColor: Equatable {
    /// One of the 16 standard colours (0–15), styled by the style sheet.
    case standard(Int)
    /// A 256-colour or truecolor value, written inline.
    case rgb((Int, Int, Int))

    /// Whether two colours are the same.
    static func == (lhs: TextColor, rhs: TextColor) -> Bool {
        switch (lhs, rhs) {
        case (.standard(let left), .standard(let right)): left == right
        case (.rgb(let left), .rgb(let right)): left == right
        default: false
        }
    }
}

/// The output being built, one line at a time.
private struct RenderState {
    /// The finished lines.
    var output = ""
    /// The line being built.
    var line = ""
    /// The style SGR sequences set so far.
    var style = TextStyle()
    /// The style of the span open in `line`, if one is.
    var openStyle: TextStyle?

    /// Appends one character of text, opening a span when the style changed.
    mutating func append(_ scalar: Unicode.Scalar) {
        if openStyle != style {
            if openStyle != nil { line += "</span>" }
            openStyle = nil
            if !style.isPlain {
                line += style.openingTag
                openStyle = style
            }
        }
        HTML.appendEscaped(scalar, to: &line)
    }

    /// A lone carriage return: what follows overwrites the line.
    mutating func rewriteLine() {
        line = ""
        openStyle = nil
    }

    /// Closes the line's span and moves the line to the output (with its newline unless `final`).
    mutating func endLine(final: Bool = false) {
        if openStyle != nil { line += "</span>" }
        openStyle = nil
        output += line
        if !final { output += "\n" }
        line = ""
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxReport

@Suite struct ANSIRendererTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: [UInt8]
        var html: String
        var testDescription: String { name }

        init(_ name: String, _ input: String, _ html: String) {
            self.init(name, Array(input.utf8), html)
        }

        init(_ name: String, _ input: [UInt8], _ html: String) {
            self.name = name
            self.input = input
            self.html = html
        }
    }

    static let cases: [Case] = [
        Case("plain text is escaped", "<b>&</b>\n", "&lt;b&gt;&amp;&lt;/b&gt;\n"),
        Case("standard colours and reset", "\u{1B}[31mred\u{1B}[0m plain", "<span class=\"fg1\">red</span> plain"),
        Case("bright colours and backgrounds", "\u{1B}[92;44mx", "<span class=\"fg10 bg4\">x</span>"),
        Case("bold, dim, italic, underline", "\u{1B}[1;2;3;4mx\u{1B}[22;23;24my", "<span class=\"b d i u\">x</span>y"),
        Case("empty SGR resets", "\u{1B}[1mx\u{1B}[my", "<span class=\"b\">x</span>y"),
        Case("256 colours below 16 use classes", "\u{1B}[38;5;9mx", "<span class=\"fg9\">x</span>"),
        Case(
            "256 colours", "\u{1B}[38;5;208mx\u{1B}[48;5;240my",
            "<span style=\"color:#ff8700\">x</span><span style=\"color:#ff8700;background-color:#585858\">y</span>"),
        Case("truecolor", "\u{1B}[38;2;1;2;255mx", "<span style=\"color:#0102ff\">x</span>"),
        Case("default colours end the span", "\u{1B}[33mx\u{1B}[39my", "<span class=\"fg3\">x</span>y"),
        Case(
            "spans close at line ends and reopen", "\u{1B}[32ma\nb",
            "<span class=\"fg2\">a</span>\n<span class=\"fg2\">b</span>"),
        Case("cursor movement and erase are dropped", "a\u{1B}[2K\u{1B}[1Gb\u{1B}[?25l", "ab"),
        Case(
            "OSC titles and hyperlinks are dropped",
            "\u{1B}]0;title\u{07}x\u{1B}]8;;http://e\u{1B}\\link\u{1B}]8;;\u{1B}\\", "xlink"),
        Case("two-character escapes are dropped", "\u{1B}(Bx\u{1B}7y", "xy"),
        Case("a lone carriage return rewrites the line", "10%\r50%\r100%\ndone\r\n", "100%\ndone\n"),
        Case("NUL is shown", [0x61, 0x00, 0x62], "a\u{2400}b"),
        Case("invalid UTF-8 becomes U+FFFD", [0x61, 0xFF, 0xC3, 0x62], "a\u{FFFD}\u{FFFD}b"),
        Case("a truncated escape at the end is dropped", "x\u{1B}[31", "x"),
    ]

    @Test(arguments: cases) func renders(_ example: Case) {
        #expect(ANSIRenderer.render(example.input).markup == example.html)
    }
}

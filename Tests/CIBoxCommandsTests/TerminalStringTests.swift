// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxCommands

@Suite struct TerminalStringTests {
    @Test(arguments: [
        ("plain ünïcode \\ text", "plain ünïcode \\ text"),
        ("a\u{1B}[2Jb", #"a\x1b[2Jb"#),
        ("line\nFAKE\r\tend", #"line\nFAKE\r\tend"#),
        ("nul\u{0}bell\u{7}del\u{7F}csi\u{9B}", #"nul\x00bell\x07del\x7fcsi\x9b"#),
    ])
    func controlCharactersAreShownNotObeyed(_ value: String, _ shown: String) {
        #expect(TerminalString.escaped(value) == shown)
    }

    @Test func interpolatedValuesAreEscapedAndCiboxOwnTextIsKept() {
        let name = "job\n\u{1B}[31m"
        let text: TerminalString = "\u{1B}[1A[\(name)] \(3) ok\n"
        #expect(text.text == "\u{1B}[1A[job\\n\\x1b[31m] 3 ok\n")
        let nested: TerminalString = "<\(text)>"
        #expect(nested.text == "<\u{1B}[1A[job\\n\\x1b[31m] 3 ok\n>", "a TerminalString is interpolated as it is")
    }

    @Test func aMessageOfSeveralLinesKeepsItsLinesIndented() {
        let text: TerminalString = "job: \(lines: "first\r\nsecond\u{1B}\nthird", indent: "  ")\n"
        #expect(text.text == "job: first\n  second\\x1b\n  third\n")
    }

    @Test func crLfIsOneLineBreakInLogLines() {
        #expect(LogTail.split("a\r\nb\rc\n") == ["a", "b\rc", ""])
    }
}

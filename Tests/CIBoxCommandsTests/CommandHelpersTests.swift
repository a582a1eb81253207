// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxCommands

@Suite struct PrePushOptionsTests {
    @Test func theHooksOwnArgumentsAreReadWithoutArgumentParser() throws {
        let options = try #require(
            PrePushCommand.fastOptions([
                "--home", "/h", "--workflow", "a", "--job", "b", "--job", "c", "--", "origin", "/srv/x.git",
            ]))
        #expect(options.home == "/h")
        #expect(options.workflows == ["a"])
        #expect(options.jobs == ["b", "c"])
        #expect(PrePushCommand.fastOptions(["origin", "url"])?.home == nil)
    }

    @Test(arguments: [["--help"], ["--home"], ["--verbose", "origin"], ["a", "b", "c"], ["--home=/x", "origin"]])
    func anythingElseGoesThroughArgumentParser(_ arguments: [String]) {
        #expect(PrePushCommand.fastOptions(arguments) == nil)
    }
}

@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("plain\ttext", "plain\ttext", "plain\ttext"),
        ("\u{1B}[31mred\u{1B}[0m", "\u{1B}[31mred\u{1B}[0m", "red"),
        ("\u{1B}[2J\u{1B}[Hcleared", "cleared", "cleared"),
        ("\u{1B}]0;evil title\u{07}after", "after", "after"),
        ("\u{1B}]8;;http://x\u{1B}\\link", "link", "link"),
        ("nul\u{0}bell\u{07}del\u{7F}", "nul^@bell^Gdel^?", "nul^@bell^Gdel^?"),
        ("c1\u{9B}31m", "c1\u{FFFD}31m", "c1\u{FFFD}31m"),
        ("10%\r50%\r100%", "100%", "100%"),
        ("windows line\r", "windows line", "windows line"),
        ("\u{1B}[31;1;4mstyled", "\u{1B}[31;1;4mstyled", "styled"),
        ("\u{1B}[?25lhidden cursor", "hidden cursor", "hidden cursor"),
    ])
    func jobOutputCannotDriveTheTerminal(_ line: String, _ colored: String, _ plain: String) {
        #expect(TerminalText.sanitized(line, keepsColors: true) == colored)
        #expect(TerminalText.sanitized(line, keepsColors: false) == plain)
    }
}

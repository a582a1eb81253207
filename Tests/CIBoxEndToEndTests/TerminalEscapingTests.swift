// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Names, messages and paths reach the terminal with their control characters shown, never obeyed.
@Suite(.machineSlot) struct TerminalEscapingTests {
    /// A folder name that would clear the screen and forge a line of its own if printed as it is.
    static let hostileName = "evil\u{1B}[2J\nFAKE: ok"
    /// How cibox shows it.
    static let shownName = #"evil\x1b[2J\nFAKE: ok"#

    /// A repository in a folder named ``hostileName`` whose one job fails.
    static func hostileRepository() async throws -> (TemporaryDirectory, String) {
        let parent = try TemporaryDirectory(prefix: "cibox-hostile")
        let path = parent.appending(hostileName)
        let config =
            "version: 2.1\njobs:\n  build:\n    steps:\n      - run: echo hi; exit 3\n"
            + "workflows:\n  w:\n    jobs: [build]\n"
        let fixture = try await Repositories.with(config: config)
        defer { fixture.remove() }
        _ = try await GitFixture.git(["clone", "-q", fixture.path, path], in: nil)
        return (parent, path)
    }

    @Test func aProjectNameWithControlCharactersIsShownEscapedByRunPipelinesAndShow() async throws {
        let cli = try CLI()
        let (parent, path) = try await Self.hostileRepository()
        defer { cli.home.remove(); parent.remove() }
        let run = try await cli.run(["run", path])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("cibox: pipeline #1 (id 1) of \(Self.shownName) at "), "\(run.stderr)")
        let pipelines = try await cli.run(["pipelines"])
        #expect(pipelines.stdout.hasPrefix("1\t\(Self.shownName) #1\tmain\t"), "\(pipelines.stdout)")
        let show = try await cli.run(["show", "1"])
        #expect(show.stdout.hasPrefix("pipeline 1: \(Self.shownName) #1 failed\n"), "\(show.stdout)")
        for output in [run.stderr, run.stdout, pipelines.stdout, show.stdout] {
            #expect(!output.contains("\u{1B}"), "invariant: no name drives the terminal")
            #expect(!output.contains("\nFAKE: ok"), "invariant: no name forges a line")
        }
        // `--json` is data: the name is there as it is, in JSON's own escapes.
        let json = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(json.string("project") == Self.hostileName)
    }

    @Test func validateEscapesTheKeyItQuotes() async throws {
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-validate")
        defer { cli.home.remove(); folder.remove() }
        try folder.write(
            "version: 2.1\n\"bogus\\e[2J\\nFAKE\": 1\njobs:\n  b:\n    steps: [run: \"true\"]\n"
                + "workflows:\n  w:\n    jobs: [b]\n", to: "config.yml")
        let output = try await cli.run(["validate", folder.appending("config.yml")])
        #expect(output.status == 0)
        #expect(
            output.stderr.hasPrefix(
                "\(folder.appending("config.yml")):2:1: warning: unknown top-level key 'bogus\\x1b[2J\\nFAKE' is ignored\n"
                    + "  hint: the top-level keys are commands, executors, jobs, orbs, parameters, setup, version, "
                    + "workflows; a key that only holds YAML anchors is fine\n"), "\(output.stderr)")
    }
}

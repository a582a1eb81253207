// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Testing

/// Configs that expand to a lot are read at the cost of their text, and refused past the limit with an error at the
/// alias or element that passes it (how long they take is measured with a release build, not here).
@Suite struct ExpansionLimitTests {
    static func compile(_ text: String, limit: Int = ConfigSettings.defaultMaxExpandedBytes) -> CompileResult {
        ConfigCompiler.compile(
            ConfigSource(path: "bomb.yml", text: text), values: testValues, parameters: [:],
            options: CompileOptions(maxExpandedBytes: limit))
    }

    /// The diagnostics of `text`, which must be refused.
    static func refusal(_ text: String) -> [String] {
        let result = compile(text)
        #expect(result.configuration == nil)
        return result.diagnostics.map(\.formatted)
    }

    /// The hint of the errors for a config past the limit, after the alias's or the command's own.
    static let limitHint = "the limit is `config: { max_expanded_bytes }` in cibox's settings.yml"

    @Test(arguments: [
        // 1.5 KB of text; 100,000 strings of 1 KB once expanded.
        (
            ConfigBombs.aliases(bytes: 1024, levels: 5),
            "bomb.yml:8:7: error: the alias '*l4' (anchor '&l4' on line 7) takes the config past 32 MiB once its "
                + "aliases are expanded, the most cibox reads\n  hint: each alias repeats its anchor's whole value, "
                + "so aliases of values that hold aliases multiply; " + limitHint
        ),
        // 100,000 steps of 1 KB once expanded.
        (
            ConfigBombs.commands(bytes: 1024, levels: 5),
            "bomb.yml:6:29: error: expanding command 'c0' here takes the config past 32 MiB of text, the most "
                + "cibox expands a config to\n  hint: commands that use other commands many times, matrices and "
                + "'steps' parameters multiply what they repeat; " + limitHint
        ),
    ])
    func configsPastTheLimitAreRefusedAtTheAliasOrCommand(_ text: String, _ expected: String) {
        #expect(text.utf8.count < 1600)
        #expect(Self.refusal(text) == [expected])
    }

    @Test func aliasesWithinTheLimitAreReadOnceAndShared() throws {
        // 10,000 strings of 1 KB: 10 MB once expanded, within the limit.
        let result = Self.compile(ConfigBombs.aliases(bytes: 1024, levels: 4))
        #expect(!result.diagnostics.containsError, "\(result.diagnostics.map(\.formatted))")
    }

    @Test func commandsUsingCommandsWithinTheLimitCompile() throws {
        // 1,000 steps of 1 KB.
        let result = Self.compile(ConfigBombs.commands(bytes: 1024, levels: 3))
        let spec = try #require(result.configuration?.workflows.first?.jobs.first?.spec)
        #expect(spec.steps.count == 1_000)
    }

    @Test func textFullOfAnglesIsRenderedOnceAndKept() throws {
        // Each step's text is 4 KB of '<' without a template: kept as written, however often it is aliased.
        let result = Self.compile(ConfigBombs.aliasedTemplates(bytes: 4096, count: 500))
        let spec = try #require(result.configuration?.workflows.first?.jobs.first?.spec)
        #expect(spec.steps.count == 500)
        guard case .run(let action) = spec.steps.last?.action else {
            Issue.record("not a run step")
            return
        }
        #expect(action.command == ConfigBombs.filler(4096, angles: true))
    }

    @Test func manyAliasesOfALargeTextPastTheLimitAreRefused() {
        // 111,000 aliases of 1 KB: a 1.8 MB config, 113 MB once expanded.
        let result = Self.compile(ConfigBombs.aliasedTemplates(bytes: 1024, count: 111_000))
        #expect(result.configuration == nil)
        #expect(
            result.diagnostics.first?.message
                == "the alias '*text' (anchor '&text' on line 3) takes the config past 32 MiB once its aliases are "
                + "expanded, the most cibox reads")
    }

    @Test func theLimitComesFromTheOptions() {
        let text = ConfigBombs.aliases(bytes: 1024, levels: 3)  // 1 MB once expanded
        #expect(!Self.compile(text).diagnostics.containsError)
        #expect(
            Self.compile(text, limit: 512 * 1024).diagnostics.map(\.message) == [
                "the alias '*l2' (anchor '&l2' on line 5) takes the config past 512 KiB once its aliases are "
                    + "expanded, the most cibox reads"
            ])
    }

    @Test(arguments: [
        ("<<a <<b <<c", "<<a <<b <<c"),
        ("<< parameters.p << parameters.p >>", "<< parameters.p x"),
        ("a <<# parameters.f >>x<<# parameters.t >>y<</ parameters.t >><</ parameters.f >>b", "a b"),
        ("<<# parameters.t >>1<</ parameters.t >><<# parameters.t >>2<</ parameters.t >>", "12"),
        ("\\<< parameters.t >> << parameters.t >>", "<< parameters.t >> true"),
    ])
    func templatesRenderAsBefore(_ command: String, _ expected: String) throws {
        let text = """
            version: 2.1
            jobs:
              build:
                parameters:
                  t: {type: boolean, default: true}
                  f: {type: boolean, default: false}
                  p: {type: string, default: x}
                steps:
                  - run: '\(command)'
            workflows:
              w:
                jobs: [build]
            """
        let result = Self.compile(text)
        guard case .run(let action) = try #require(buildSpec(result)?.steps.first).action else {
            Issue.record("not a run step: \(result.diagnostics.map(\.formatted))")
            return
        }
        #expect(action.command == expected)
    }

    @Test func unclosedSectionsAreReportedOnce() {
        let command = String(repeating: "<<# parameters.t >>x", count: 1_000)
        let text = config(
            job: "    parameters: {t: {type: boolean, default: true}}\n", steps: "      - run: '\(command)'")
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:6:14: error: the section '<<#parameters.t>>' is not closed\n"
                    + "  hint: end it with '<</parameters.t>>'"
            ])
    }
}

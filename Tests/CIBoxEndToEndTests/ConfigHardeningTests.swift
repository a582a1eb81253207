// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Hostile and unusual configs through the built `cibox`: refused cheaply with a clear error, or accepted as
/// CircleCI accepts them.
@Suite(.serialized, .machineSlot) struct ConfigHardeningTests {
    @Test func configsThatExpandPastTheLimitAreRefused() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        try cli.home.write(ConfigBombs.commands(bytes: 1024, levels: 5), to: "commands.yml")
        let commands = try await cli.run(["validate", cli.home.path + "/commands.yml"])
        #expect(commands.status == 2)
        #expect(
            commands.stderr == """
                \(cli.home.path)/commands.yml:6:29: error: expanding command 'c0' here takes the config past 32 MiB \
                of text, the most cibox expands a config to
                  hint: commands that use other commands many times, matrices and 'steps' parameters multiply what \
                they repeat; the limit is `config: { max_expanded_bytes }` in cibox's settings.yml
                \(cli.home.path)/commands.yml: 1 error(s), 0 warning(s)

                """)
        // 1 MiB of aliases is fine by default, and refused with a lower limit in settings.
        try cli.home.write(ConfigBombs.aliases(bytes: 1024, levels: 3), to: "aliases.yml")
        #expect(try await cli.run(["validate", cli.home.path + "/aliases.yml"]).status == 0)
        try cli.home.write("config: { max_expanded_bytes: 512KiB }\n", to: "settings.yml")
        let limited = try await cli.run(["validate", cli.home.path + "/aliases.yml"])
        #expect(limited.status == 2)
        #expect(
            limited.stderr.hasPrefix(
                "\(cli.home.path)/aliases.yml:6:7: error: the alias '*l2' (anchor '&l2' on line 5) takes the config "
                    + "past 512 KiB once its aliases are expanded, the most cibox reads\n"), "\(limited.stderr)")
    }

    @Test func validateReportsEveryErrorInOnePass() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        try cli.home.write(
            """
            version: 2.1
            jobs:
              a: {docker: [{image: x}], steps: [checkout]}
              b: {docker: [{image: x}], steps: [checkout]}
            workflows:
              w:
                jobs:
                  - a: {requires: [b]}
                  - b: {requires: [a]}
                  - missing
              empty:
                jobs: []

            """, to: "config.yml")
        let result = try await cli.run(["validate", cli.home.path + "/config.yml"])
        let file = cli.home.path + "/config.yml"
        #expect(result.status == 2)
        #expect(
            result.stderr == """
                \(file):10:9: error: workflow 'w' uses undefined job 'missing'
                  hint: define 'missing' under 'jobs:' or fix the name
                \(file):12:11: error: workflow 'empty' has an empty 'jobs' list
                  hint: list at least one job under 'jobs:'
                \(file):8:9: error: cycle in requires: a -> b -> a
                  hint: remove one of these requirements
                \(file): 3 error(s), 0 warning(s)

                """)
    }
}

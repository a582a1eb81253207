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

    @Test func continuationFinishEndsTheSetupPipeline() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                orbs: {continuation: circleci/continuation@0.4.0}
                setup: true
                jobs:
                  decide:
                    steps: [continuation/finish]
                workflows:
                  setup:
                    jobs: [decide]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let workflows = try await cli.succeededWorkflows(repo.path)
        #expect(workflows.map { $0.string("name") } == ["setup"])
        let decide = workflows[0].objects("jobs")[0]
        #expect(
            try await cli.run(["logs", String(decide.int("id") ?? 0), "--step", "0"]).stdout
                .hasSuffix("\ncibox: this pipeline ends with its setup workflow; nothing continues it\n"))
    }

    @Test func configProcessKeepsWhatCiboxUnderstands() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        try cli.home.write(
            """
            version: 2.1
            jobs:
              build:
                docker:
                  - image: app
                    environment: [MODE=test]
                    entrypoint: [/bin/sh]
                steps:
                  - checkout: {method: full}
                  - run: echo $MODE
                  - store_test_results: {path: results}
            workflows:
              w: {jobs: [build]}

            """, to: "config.yml")
        let file = cli.home.path + "/config.yml"
        let processed = try await cli.run(["config", "process", file])
        #expect(processed.status == 0, "\(processed.stderr)")
        #expect(
            processed.stdout.contains(
                """
                    docker:
                    - image: app
                      entrypoint:
                      - /bin/sh
                      environment:
                        MODE: test
                """))
        #expect(processed.stdout.contains("        method: full\n"))
        #expect(!processed.stdout.contains("when:"))
        #expect(
            processed.stderr == """
                \(file):6:22: warning: step 'echo $MODE' reads $MODE, which only the primary image's 'environment' \
                sets: it reaches the container's entrypoint and command, not the steps
                  hint: to give it to the steps, set it under the job's 'environment:'

                """)
        // The processed config validates again with only that warning.
        try cli.home.write(processed.stdout, to: "processed.yml")
        let again = try await cli.run(["validate", cli.home.path + "/processed.yml"])
        #expect(again.status == 0)
        #expect(
            again.stderr.hasPrefix("\(cli.home.path)/processed.yml:9:9: warning: step 'echo $MODE' reads $MODE")
                && again.stderr.components(separatedBy: "warning:").count == 2, "\(again.stderr)")
    }
}

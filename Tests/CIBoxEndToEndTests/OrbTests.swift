// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `cibox orb pack|add|list|remove` and registry orbs from the store, run by the real `cibox` on real repositories.
@Suite(.serialized, .machineSlot) struct OrbTests {
    /// A small orb source folder written for these tests, in CircleCI's layout, by path relative to `src/`.
    static let source: [String: String] = [
        "@orb.yml": """
        version: 2.1
        description: Greets people, offline.
        display:
          home_url: https://example.com/greet
        """,
        "commands/say.yml": """
        description: Print a greeting through the orb's script.
        parameters:
          text: {type: string}
          times: {type: integer, default: 1}
        steps:
          - run:
              name: Say << parameters.text >>
              environment:
                GREET_TEXT: << parameters.text >>
                GREET_TIMES: << parameters.times >>
              command: <<include(scripts/say.sh)>>
        """,
        "commands/@helpers.yml": """
        mark:
          parameters: {file: {type: string, default: greeted.txt}}
          steps:
            - run: echo marked > << parameters.file >>
        """,
        "jobs/hello.yml": """
        description: Greet someone on the orb's executor.
        parameters:
          who: {type: string, default: world}
          executor: {type: executor, default: default}
          after: {type: steps, default: []}
        executor: << parameters.executor >>
        steps:
          - say: {text: "hello << parameters.who >>"}
          - mark
          - run: cat greeted.txt
          - steps: << parameters.after >>
        """,
        "executors/default.yml": """
        parameters:
          tag: {type: string, default: "1.36"}
        docker:
          - image: busybox:<< parameters.tag >>
        environment:
          GREET_PREFIX: "orb says:"
        """,
        "examples/hello.yml": """
        description: Greet from a workflow.
        usage:
          version: 2.1
          orbs:
            greet: acme/greet@1.2
          workflows:
            main:
              jobs:
                - greet/hello: {who: you}
        """,
        // A heredoc and a tab: `<<` in an included script is never a parameter.
        "scripts/say.sh": """
        #!/bin/bash
        for _ in $(seq "$GREET_TIMES"); do
        \techo "${GREET_PREFIX:-plain:} $GREET_TEXT"
        done
        cat <<EOF
        (<< not a parameter >>)
        EOF

        """,
        "scripts/README.md": "Scripts are included by commands; this file is not part of the orb.\n",
    ]

    /// The config that uses the orb's job (with executor and steps arguments) and its command.
    static let config = """
        version: 2.1
        orbs:
          greet: acme/greet@1.2
        executors:
          local:
            docker: [{image: alpine}]
        jobs:
          build:
            executor: {name: greet/default, tag: "1.37"}
            steps:
              - greet/say: {text: from build, times: 2}
        workflows:
          w:
            jobs:
              - build
              - greet/hello:
                  who: cibox
                  executor: local
                  after:
                    - run: echo after-step
                  requires: [build]
        """

    /// Writes the orb source folder into `directory`/src.
    static func writeSource(into directory: TemporaryDirectory) throws -> String {
        for (path, text) in source { try directory.write(text, to: "src/" + path) }
        return directory.appending("src")
    }

    /// Each job's step logs by job name, from `cibox run --json`.
    static func logs(_ cli: CLI, _ run: ProcessOutput) async throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for job in try CLI.object(run).objects("workflows").flatMap({ $0.objects("jobs") }) {
            let id = String(job.int("id") ?? 0)
            var logs: [String] = []
            for step in job.objects("steps").indices {
                logs.append(try await cli.run(["logs", id, "--step", String(step)]).stdout)
            }
            result[job.string("name") ?? ""] = logs
        }
        return result
    }

    @Test func packAddAndRunAPipelineThatUsesTheOrbsJobAndCommand() async throws {
        let cli = try CLI()
        let work = try TemporaryDirectory(prefix: "cibox-orb-source")
        defer { cli.home.remove(); work.remove() }
        let folder = try Self.writeSource(into: work)

        let packed = try await cli.run(["orb", "pack", folder])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(packed.stderr == "")
        #expect(packed.stdout.hasPrefix("version: 2.1\ndescription: Greets people, offline.\n"))
        // The script holds tabs, so libyaml writes it double-quoted: `\<<` is `\\<<` there.
        #expect(packed.stdout.contains("cat \\\\<<EOF\\n"), "\(packed.stdout)")
        #expect(packed.stdout.contains("examples:\n  hello:\n"))
        #expect(!packed.stdout.contains("include("))
        // Packing twice gives the same bytes.
        #expect(try await cli.run(["orb", "pack", folder + "/"]).stdout == packed.stdout)
        try work.write(packed.stdout, to: "greet.yml")

        let added = try await cli.run(["orb", "add", work.appending("greet.yml"), "--name", "acme/greet@1.2.3"])
        #expect(added.status == 0, "\(added.stderr)")
        let stored = cli.home.path + "/orbs/acme/greet@1.2.3.yml"
        #expect(added.stdout == "cibox: added acme/greet@1.2.3 (\(stored))\n")
        #expect(try String(contentsOfFile: stored, encoding: .utf8) == packed.stdout)

        let repo = try await Repositories.with(config: Self.config)
        defer { repo.remove() }
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let jobs = try CLI.object(run).objects("workflows")[0].objects("jobs")
        #expect(jobs.map { $0.string("name") ?? "" } == ["build", "greet/hello"])
        let logs = try await Self.logs(cli, run)
        // The orb's `Say …` step is named, so its log starts with its command, as CircleCI shows it.
        let echo =
            "#!/bin/bash -eo pipefail\n#!/bin/bash\nfor _ in $(seq \"$GREET_TIMES\"); do\n"
            + "\techo \"${GREET_PREFIX:-plain:} $GREET_TEXT\"\ndone\ncat <<EOF\n(<< not a parameter >>)\nEOF\n"
        #expect(logs["build"] == [echo + "orb says: from build\norb says: from build\n(<< not a parameter >>)\n"])
        #expect(
            logs["greet/hello"] == [
                echo + "plain: hello cibox\n(<< not a parameter >>)\n", "", "marked\n", "after-step\n",
            ])
        let plan = try await cli.run(["config", "process", repo.path, "--json"])
        #expect(plan.stdout.contains("\"busybox:1.37\""), "\(plan.stdout)")
        #expect(plan.stdout.contains("\"alpine\""))
    }

    @Test func addReadsStandardInputAndListAndRemoveShowTheStore() async throws {
        let cli = try CLI()
        let work = try TemporaryDirectory(prefix: "cibox-orb-source")
        defer { cli.home.remove(); work.remove() }
        let packed = try await cli.run(["orb", "pack", try Self.writeSource(into: work)]).stdout
        #expect(
            try await cli.run(["orb", "list"]).stdout
                == "No orbs in the store ('\(cli.home.path)/orbs'). Add one with `cibox orb add FILE --name NAMESPACE/NAME@VERSION`.\n"
        )
        #expect(try await cli.run(["orb", "list", "--json"]).stdout == "[]\n")
        for version in ["1.10.0", "1.2.3"] {
            let added = try await cli.run(["orb", "add", "-", "--name", "acme/greet@\(version)"], input: packed)
            #expect(added.status == 0, "\(added.stderr)")
        }
        let folder = cli.home.path + "/orbs/acme"
        let size = packed.utf8.count
        #expect(
            try await cli.run(["orb", "list", "--json"]).stdout == """
                [
                  {
                    "reference": "acme/greet@1.2.3",
                    "namespace": "acme",
                    "name": "greet",
                    "version": "1.2.3",
                    "path": "\(folder)/greet@1.2.3.yml",
                    "size": \(size)
                  },
                  {
                    "reference": "acme/greet@1.10.0",
                    "namespace": "acme",
                    "name": "greet",
                    "version": "1.10.0",
                    "path": "\(folder)/greet@1.10.0.yml",
                    "size": \(size)
                  }
                ]

                """)
        let list = try await cli.run(["orb", "list"]).stdout
        #expect(list.hasPrefix("acme/greet@1.2.3\t"))
        #expect(list.hasSuffix("\t\(folder)/greet@1.10.0.yml\n"))

        let again = try await cli.run(["orb", "add", "-", "--name", "acme/greet@1.2.3"], input: packed)
        #expect(again.status == 2)
        #expect(again.stderr.contains("acme/greet@1.2.3 is already in the orb store"))

        let removed = try await cli.run(["orb", "remove", "acme/greet@1.10.0"])
        #expect(removed.stdout == "cibox: removed acme/greet@1.10.0 (\(folder)/greet@1.10.0.yml)\n")
        let gone = try await cli.run(["orb", "remove", "acme/greet@1.10.0"])
        #expect(gone.status == 2)
        #expect(
            gone.stderr == "error: acme/greet@1.10.0 is not in the orb store ('\(cli.home.path)/orbs'): it has "
                + "acme/greet 1.2.3. See `cibox orb list`.\n")
        #expect(try await cli.run(["orb", "list"]).stdout.split(separator: "\n").count == 1)
    }

    /// A config whose job runs the command `which` of `acme/versions@VERSION`.
    static func versionsConfig(_ version: String) -> String {
        """
        version: 2.1
        orbs:
          v: acme/versions@\(version)
        jobs:
          build:
            docker: [{image: x}]
            steps: [v/which]
        workflows:
          w: {jobs: [build]}
        """
    }

    /// `cibox config process` of ``versionsConfig(_:)`` in a fresh repository.
    static func resolve(_ version: String, cli: CLI) async throws -> ProcessOutput {
        let repo = try await Repositories.with(config: versionsConfig(version))
        defer { repo.remove() }
        return try await cli.run(["config", "process", repo.path])
    }

    @Test func versionsResolveAsOnCircleCI() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        for version in ["1.2.3", "1.2.10", "1.3.0", "2.0.0", "0.9.0"] {
            let orb = "version: 2.1\ncommands:\n  which: {steps: [{run: echo version-\(version)}]}\n"
            let added = try await cli.run(["orb", "add", "-", "--name", "acme/versions@\(version)"], input: orb)
            #expect(added.status == 0, "\(added.stderr)")
        }
        let cases = [
            ("1.2.3", "1.2.3"), ("1.2", "1.2.10"), ("1", "1.3.0"), ("volatile", "2.0.0"), ("0", "0.9.0"),
        ]
        for (requested, expected) in cases {
            let processed = try await Self.resolve(requested, cli: cli)
            #expect(processed.status == 0, "@\(requested): \(processed.stderr)")
            #expect(processed.stdout.contains("echo version-\(expected)"), "@\(requested): \(processed.stdout)")
        }
        let missing = try await Self.resolve("1.4", cli: cli)
        #expect(missing.status == 2)
        #expect(
            missing.stderr.hasPrefix(
                ".circleci/config.yml:3:6: error: orb 'acme/versions@1.4' is not available offline: the orb store "
                    + "'\(cli.home.path)/orbs' has acme/versions 0.9.0, 1.2.3, 1.2.10, 1.3.0, 2.0.0, none matching "
                    + "'1.4'; add it with `cibox orb add FILE --name acme/versions@1.4.PATCH`"), "\(missing.stderr)")
    }

    @Test func projectOrbsAtTheCommitWinForPartialVersionsToo() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let orb = { (label: String) in "version: 2.1\ncommands:\n  which: {steps: [{run: echo \(label)}]}\n" }
        #expect(
            try await cli.run(["orb", "add", "-", "--name", "acme/versions@1.5.0"], input: orb("store")).status == 0)
        let repo = try await Repositories.with(
            config: Self.versionsConfig("1"),
            files: [".circleci/orbs/acme/versions@1.0.0.yml": orb("project-at-commit")])
        defer { repo.remove() }
        // Not committed: the commit's orbs are what a pipeline runs.
        try repo.write(orb("uncommitted"), to: ".circleci/orbs/acme/versions@1.9.0.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try await Self.logs(cli, run)["build"] == ["project-at-commit\n"])
    }

    @Test func packErrorsNameTheFileAndLine() async throws {
        let cli = try CLI()
        let work = try TemporaryDirectory(prefix: "cibox-orb-source")
        defer { cli.home.remove(); work.remove() }
        let folder = try Self.writeSource(into: work)
        try work.write(
            "steps:\n  - run:\n      command: <<include(scripts/missing.sh)>>\n", to: "src/commands/broken.yml")
        let packed = try await cli.run(["orb", "pack", folder])
        #expect(packed.status == 2)
        #expect(packed.stdout == "")
        #expect(
            packed.stderr == "\(folder)/commands/broken.yml:3:16: error: cannot include 'scripts/missing.sh': "
                + "'\(folder)/scripts/missing.sh' does not exist or is not UTF-8 text\n"
                + "  hint: include paths are relative to the orb's source folder '\(folder)'\n"
                + "\(folder): 1 error(s); nothing packed\n")
        let notAFolder = try await cli.run(["orb", "pack", work.appending("nowhere")])
        #expect(notAFolder.status == 2)
        #expect(notAFolder.stderr.hasPrefix("error: '\(work.appending("nowhere"))' is not a folder."))
    }

    @Test func addRefusesAnOrbWithErrorsAndNamesThatAreNotOneVersion() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let bad = "version: 2.1\njobs:\n  j:\n    steps: [{run: {name: no command}}]\n"
        let refused = try await cli.run(["orb", "add", "-", "--name", "acme/bad@1.0.0"], input: bad)
        #expect(refused.status == 2)
        #expect(
            refused.stderr == "<stdin>:4:19: error: 'jobs.j.steps[0].run' needs 'command'\n"
                + "  hint: add 'command:' with the script to run\n"
                + "error: <stdin> is not a valid orb (1 error(s)); acme/bad@1.0.0 was not added.\n")
        #expect(try await cli.run(["orb", "list", "--json"]).stdout == "[]\n")
        let partial = try await cli.run(["orb", "add", "-", "--name", "acme/bad@1.0"], input: bad)
        #expect(partial.status == 64)
        #expect(partial.stderr.hasPrefix("Error: 'acme/bad@1.0' does not name one version"))
        let malformed = try await cli.run(["orb", "add", "-", "--name", "bad"], input: bad)
        #expect(malformed.status == 64)
        #expect(
            malformed.stderr.hasPrefix(
                "Error: --name must be NAMESPACE/NAME@VERSION, such as acme/tools@1.2.3; got 'bad'."))
    }
}

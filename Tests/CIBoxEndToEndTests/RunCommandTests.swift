// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct RunCommandTests {
    @Test func samplePipelineSucceedsWithBothWorkflows() async throws {
        let cli = try CLI()
        let repo = try await Repositories.sample("shell-pipeline")
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let pipeline = try CLI.object(output)
        #expect(pipeline.string("status") == "success")
        #expect(pipeline.string("branch") == "main")
        #expect(pipeline.string("trigger") == "manual")
        #expect(pipeline.int("number") == 1)
        #expect(
            pipeline.string("revision")
                == (try await repo.git(["rev-parse", "HEAD"])).trimmingCharacters(in: .whitespacesAndNewlines))
        let workflows = pipeline.objects("workflows")
        #expect(workflows.map { $0.string("name") } == ["build-and-test", "docs"])
        let jobs = workflows[0].objects("jobs")
        #expect(jobs.map { $0.string("name") } == ["prepare", "lint", "unit-tests", "integration-tests", "package"])
        #expect(jobs.allSatisfy { $0.string("status") == "success" })
        #expect(jobs.allSatisfy { $0.int("exit_code") == 0 || $0.isNull("exit_code") })
        let packageSteps = jobs[4].objects("steps")
        #expect(packageSteps.map { $0.string("name") } == ["Checkout code", "Build the package", "Report"])
        #expect(packageSteps.allSatisfy { ($0.int("log_bytes") ?? 0) > 0 })
        // Progress went to stderr, one line per change.
        #expect(output.stderr.contains("[build-and-test/package] success"))
    }

    @Test func failingStepFailsTheJobSkipsDependentsAndRunsAlwaysSteps() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  test:
                    steps:
                      - run: echo before
                      - run:
                          name: Fails with 3
                          command: echo "about to fail"; exit 3
                      - run: echo skipped
                      - run:
                          name: Always
                          command: echo cleanup
                          when: always
                  deploy:
                    steps:
                      - run: echo deploying
                workflows:
                  main:
                    jobs:
                      - test
                      - deploy:
                          requires: [test]
                """)
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let pipeline = try CLI.object(output)
        #expect(pipeline.string("status") == "failed")
        let jobs = pipeline.objects("workflows")[0].objects("jobs")
        let test = jobs[0]
        #expect(test.string("status") == "failed")
        #expect(test.int("exit_code") == 3)
        #expect(test.string("failure_reason") == "exit_code")
        #expect(test.objects("steps").map { $0.string("status") } == ["success", "failed", "not_run", "success"])
        #expect(test.objects("steps")[1].int("exit_code") == 3)
        #expect(jobs[1].string("status") == "not_run")
        #expect(jobs[1].isNull("started_at"))
        // The failing step's last lines are shown.
        #expect(output.stderr.contains("about to fail"))
        let logs = try await cli.run(["logs", String(test.int("id") ?? 0), "--step", "3"])
        #expect(logs.stdout == "#!/bin/bash -eo pipefail\necho cleanup\ncleanup\n", "a named step echoes its command")
    }

    @Test func invalidYAMLExitsWithTwoAndNamesTheLine() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: "version: 2.1\njobs:\n  build:\n    steps: [\n      - run: x\n")
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path])
        #expect(output.status == 2)
        #expect(
            output.stderr.hasPrefix(
                ".circleci/config.yml:5:7: error: invalid YAML: did not find expected node content (while parsing a flow node at line 5, column 7)\n"
            ))
        #expect(
            output.stderr.contains(
                "\nerror: .circleci/config.yml is not a valid config.\ncibox: recorded as pipeline #1 "))
        #expect(output.stdout.isEmpty)
        let validate = try await cli.run(["validate", repo.path])
        #expect(validate.status == 2)
        #expect(validate.stderr.hasPrefix(".circleci/config.yml:"))
    }

    @Test func workingTreeSeesUncommittedChanges() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config:
                "version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run: cat message.txt\nworkflows:\n  w:\n    jobs: [build]\n",
            files: ["message.txt": "committed\n"]
        )
        defer { cli.home.remove(); repo.remove() }
        try repo.write("uncommitted\n", to: "message.txt")
        let committed = try CLI.object(try await cli.run(["run", repo.path, "--json"]))
        let dirty = try CLI.object(try await cli.run(["run", repo.path, "--working-tree", "--json"]))
        let committedJob = committed.objects("workflows")[0].objects("jobs")[0].int("id") ?? 0
        let dirtyJob = dirty.objects("workflows")[0].objects("jobs")[0].int("id") ?? 0
        #expect(try await cli.run(["logs", String(committedJob), "--step", "1"]).stdout == "committed\n")
        #expect(try await cli.run(["logs", String(dirtyJob), "--step", "1"]).stdout == "uncommitted\n")
        #expect(dirty.int("number") == 2)
    }

    @Test func runLeavesTheSourceRepositoryByteIdentical() async throws {
        let cli = try CLI()
        let repo = try await Repositories.sample("shell-pipeline")
        defer { cli.home.remove(); repo.remove() }
        try repo.write("staged\n", to: "staged.txt")
        try await repo.git(["add", "staged.txt"])
        try repo.write("untracked\n", to: "untracked.txt")
        try repo.write("modified\n", to: "README.md")
        let before = try Snapshot.take(repo.path)
        #expect(before.entries.keys.contains(".git/index"))
        #expect(before.entries.keys.contains(".git/refs/heads/main"))
        let output = try await cli.run(["run", repo.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try Snapshot.take(repo.path) == before)
    }

    @Test func revisionSelectsTheCommitAndUnknownWorkflowIsExitTwo() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config:
                "version: 2.1\njobs:\n  build:\n    steps:\n      - run: echo one\nworkflows:\n  w:\n    jobs: [build]\n"
        )
        defer { cli.home.remove(); repo.remove() }
        let first = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.write(
            "version: 2.1\njobs:\n  build:\n    steps:\n      - run: exit 1\nworkflows:\n  w:\n    jobs: [build]\n",
            to: ".circleci/config.yml")
        try await repo.commitAll("break it")
        #expect(try await cli.run(["run", repo.path]).status == 1)
        let old = try await cli.run(["run", repo.path, "--rev", String(first.prefix(8)), "--json"])
        #expect(old.status == 0)
        #expect(try CLI.object(old).string("revision") == first)
        let unknown = try await cli.run(["run", repo.path, "--workflow", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("nope"))
        #expect(try await cli.run(["run", "/"]).status == 2)
    }
}

/// The exit status of an infrastructure failure, and the words that explain it.
@Suite(.machineSlot) struct InfrastructureStatusTests {
    @Test func aStateFolderThatCannotBeMadeExitsThreeWithTheFolderAndTheReason() async throws {
        let blocker = try TemporaryDirectory(prefix: "cibox-blocker")
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  b:\n    steps:\n      - run: 'true'\nworkflows:\n  w:\n    jobs: [b]\n")
        defer { blocker.remove(); repo.remove() }
        try blocker.write("not a folder\n", to: "file")
        let home = blocker.appending("file/home")
        let expected =
            "error: Cannot create the state folder '\(home)': \(home)/logs: Not a directory. Check --home or CIBOX_HOME.\n"
        for arguments in [["run", repo.path], ["pipelines"], ["trigger", "app"]] {
            let output = try await ProcessRunner.run(CLI.binary, arguments + ["--home", home])
            #expect(output.status == 3, "\(arguments)")
            #expect(output.stderr == expected, "\(arguments)")
            #expect(output.stdout == "")
        }
        for command in ["run", "trigger"] {
            let help = try await ProcessRunner.run(CLI.binary, [command, "--help"]).stdout
            #expect(
                help.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(
                    "Exit status: 0 success, 1 the pipeline did not succeed, 2 invalid config or nothing to run, "
                        + "3 cibox could not use its state folder or database (an infrastructure failure)."),
                "\(help)")
        }
    }
}

@Suite(.serialized, .machineSlot) struct AbandonedRunTests {
    @Test func aRunKilledWithSIGKILLIsSettledByTheNextRun() async throws {
        let cli = try CLI()
        let marker = "cibox-abandoned-\(UUID().uuidString.prefix(8))"
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  slow:
                    steps:
                      - run: echo started; exec -a \(marker) sleep 60
                workflows:
                  main:
                    jobs: [slow]
                """)
        defer { cli.home.remove(); repo.remove() }
        let (process, _) = try cli.start(["run", repo.path, "--json"])
        #expect(try await eventually(seconds: 20) { processCount(containing: marker) > 0 }, "the job never started")
        kill(process.processIdentifier, SIGKILL)
        try await process.ended()
        // Read beneath cibox (`show` would settle it): the killed run's pipeline is still recorded running.
        let stale = try await ProcessRunner.run(
            SQLiteShell.program, ["-readonly", cli.home.appending("cibox.sqlite"), "SELECT status FROM pipeline"])
        #expect(stale.stdout == "running\n", "the killed run's pipeline should still be recorded running")

        try repo.write(
            "version: 2.1\njobs:\n  quick:\n    steps: [{run: 'true'}]\nworkflows:\n  main:\n    jobs: [quick]\n",
            to: ".circleci/config.yml")
        _ = try await repo.commitAll("quick")
        let next = try await cli.run(["run", repo.path])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(
            next.stderr.contains("cibox: pipeline 1 stopped when the cibox running it was killed: marked interrupted\n")
        )
        let settled = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(settled.string("status") == "failed")
        let job = try #require(settled.objects("workflows").first?.objects("jobs").first)
        #expect(job.string("status") == "interrupted")
        #expect(job.string("failure_reason") == "interrupted")
        #expect(
            try await eventually(seconds: 20) { processCount(containing: marker) == 0 },
            "the killed run's job is still running")
        #expect(!FileManager.default.fileExists(atPath: cli.home.appending("work/\(job.int("id") ?? 0)")))
    }
}

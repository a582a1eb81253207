// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A config that cannot be compiled is recorded as an `error` pipeline with its diagnostics, as CircleCI shows it:
/// in `pipelines`, `show`, `--json`, the report, the notifications and the daemon's log.
@Suite(.serialized, .machineSlot) struct InvalidConfigTests {
    static let cycle = """
        version: 2.1
        jobs:
          a:
            steps: [run: "true"]
          b:
            steps: [run: "true"]
        workflows:
          w:
            jobs:
              - a:
                  requires: [b]
              - b:
                  requires: [a]

        """
    static let cycleDiagnostic =
        ".circleci/config.yml:10:9: error: cycle in requires: a -> b -> a\n  hint: remove one of these requirements\n"
    static let badYAML = "version: 2.1\njobs:\n  a: [\n"
    static let badYAMLReason =
        ".circleci/config.yml:4:1: invalid YAML: did not find expected node content (while parsing a flow node at "
        + "line 4, column 1)"

    @Test func runRecordsARequiresCycleAsAnErrorPipeline() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.cycle)
        defer { cli.home.remove(); repo.remove() }
        let sha = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let name = URL(fileURLWithPath: repo.path).lastPathComponent
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 2)
        #expect(
            run.stderr
                == Self.cycleDiagnostic + "error: .circleci/config.yml is not a valid config.\n"
                + "cibox: recorded as pipeline #1 (id 1) of \(name) at \(sha.prefix(12)): error (cibox show 1)\n")
        let json = try CLI.object(run)
        #expect(json.string("status") == "error")
        #expect(json.string("error_message") == ".circleci/config.yml is not a valid config.")
        #expect(json.isNull("started_at") && !json.isNull("finished_at"))
        #expect(json.objects("workflows").isEmpty)
        let diagnostic = try #require(json.objects("diagnostics").first)
        #expect(diagnostic.string("file") == ".circleci/config.yml")
        #expect(diagnostic.int("line") == 10 && diagnostic.int("column") == 9)
        #expect(diagnostic.string("severity") == "error")
        #expect(diagnostic.string("message") == "cycle in requires: a -> b -> a")
        #expect(diagnostic.string("hint") == "remove one of these requirements")
        let shown = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(shown.objects("diagnostics").count == 1)
        let show = try await cli.run(["show", "1"])
        #expect(
            show.stdout
                == "pipeline 1: \(name) #1 error\n  revision \(sha) on main, trigger manual\n"
                + "  error: .circleci/config.yml is not a valid config.\n"
                + "    .circleci/config.yml:10:9: error: cycle in requires: a -> b -> a\n"
                + "      hint: remove one of these requirements\n")
        let pipelines = try await cli.run(["pipelines"])
        #expect(pipelines.stdout.hasPrefix("1\t\(name) #1\tmain\t\(sha.prefix(12))\terror\t"))
        #expect(pipelines.stdout.hasSuffix("\t.circleci/config.yml:10:9: cycle in requires: a -> b -> a\n"))
        let page = try String(contentsOfFile: cli.home.appending("reports/pipelines/1/index.html"), encoding: .utf8)
        #expect(page.contains(".circleci/config.yml:10:9: error: cycle in requires: a -&gt; b -&gt; a"))
        let rerun = try await cli.run(["rerun", "1"])
        #expect(rerun.status == 2)
        #expect(
            rerun.stderr
                == "error: Pipeline 1 never ran: its config is invalid (`cibox show 1` lists why), so there is nothing "
                + "to rerun. Fix the config, commit it and run the pipeline again.\n")
    }

    @Test func triggerRecordsBadYAMLAsAnErrorPipeline() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.badYAML)
        defer { cli.home.remove(); repo.remove() }
        let name = URL(fileURLWithPath: repo.path).lastPathComponent
        let sha = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await cli.run(["project", "add", repo.path]).status == 0)
        let trigger = try await cli.run(["trigger", name])
        #expect(trigger.status == 2)
        #expect(
            trigger.stderr
                == Self.badYAMLReason.replacingOccurrences(of: "4:1: ", with: "4:1: error: ")
                + "\n  hint: check the indentation, quoting and ':' near this place; a YAML linter shows more\n"
                + "error: .circleci/config.yml is not a valid config.\n"
                + "cibox: recorded as pipeline #1 (id 1) of \(name) at \(sha.prefix(12)): error (cibox show 1)\n")
        let pipelines = try await cli.run(["pipelines"])
        #expect(pipelines.stdout.hasSuffix("\t" + Self.badYAMLReason + "\n"))
        let shown = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(shown.string("trigger") == "api")
        #expect(shown.objects("diagnostics").first?.int("line") == 4)
    }

    @Test func anAliasBombIsRefusedWithinItsBoundAndRecordedAsAnErrorPipeline() async throws {
        let cli = try CLI()
        let text = String(repeating: "x", count: 1000)
        let ten = { (name: String) in "[" + Array(repeating: "*\(name)", count: 10).joined(separator: ", ") + "]" }
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                x0: &a0 "\(text)"
                x1: &a1 \(ten("a0"))
                x2: &a2 \(ten("a1"))
                x3: &a3 \(ten("a2"))
                x4: &a4 \(ten("a3"))
                jobs:
                  a:
                    steps: [run: "true"]
                workflows:
                  w:
                    jobs: [a]
                """)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("config: {max_expanded_bytes: 1MiB}\n", to: "settings.yml")
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                ".circleci/config.yml:5:5: error: the alias '*a2' (anchor '&a2' on line 4) takes the config past 1 MiB "
                    + "once its aliases are expanded, the most cibox reads\n  hint: each alias repeats its anchor's whole "
                    + "value, so aliases of values that hold aliases multiply; the limit is `config: { max_expanded_bytes }`"
                    + " in cibox's settings.yml\nerror: .circleci/config.yml is not a valid config.\n"), "\(run.stderr)"
        )
        #expect(run.stderr.contains("cibox: recorded as pipeline #1 (id 1) of "))
        let listed = try await cli.run(["pipelines", "--json"])
        let pipelines = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
        #expect(pipelines?.first?.string("status") == "error")
    }

    @Test func thePrePushGateRecordsAnInvalidConfigAndBlocksThePush() async throws {
        let fixture = try await PushFixture(script: "true\n", config: Self.cycle)
        defer { fixture.cli.home.remove(); fixture.work.remove(); fixture.remote.remove() }
        let push = try await fixture.push(["origin", "main"])
        #expect(push.status != 0)
        let sha = try await fixture.work.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            push.stderr.contains(
                Self.cycleDiagnostic + "error: .circleci/config.yml is not a valid config.\n"
                    + "cibox: refs/heads/main (\(sha.prefix(12))): recorded as pipeline #1 (id 1)\n"
                    + "cibox: refs/heads/main (\(sha.prefix(12))): the push is blocked (CIBOX_SKIP=1 skips the checks)\n"
            ), "\(push.stderr)")
        let shown = try CLI.object(try await fixture.cli.run(["show", "1", "--json"]))
        #expect(shown.string("status") == "error")
        #expect(shown.string("trigger") == "pre-push")
    }

    @Test func theDaemonRecordsAPushWithAnInvalidConfigLogsItAndNotifies() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        defer { setup.remove() }
        let notified = setup.root.appending("notified.json")
        // Written whole, then moved into place: the test reads it as soon as it is there.
        try setup.root.write("#!/bin/sh\ncat > \(notified).part && mv \(notified).part \(notified)\n", to: "notify.sh")
        chmod(setup.root.appending("notify.sh"), 0o755)
        try setup.cli.home.write("notify:\n  command: \(setup.root.appending("notify.sh"))\n", to: "settings.yml")
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let log = setup.root.appending("daemon.log")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLI.binary)
        daemon.arguments = ["daemon", "--home", setup.cli.home.path, "--grace-period", "2"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try daemon.run()
        try await withCleanup {
            try await Task.sleep(for: .milliseconds(500))
            try await setup.push(config: Self.cycle, message: "cycle")
            let list = try await setup.wait { list in list.first?["status"] as? String == "error" }
            let pipeline = try #require(list.first)
            #expect(pipeline["trigger"] as? String == "push")
            #expect(
                (pipeline["diagnostics"] as? [[String: Any]])?.first?["message"] as? String
                    == "cycle in requires: a -> b -> a")
            for _ in 0..<50 where !FileManager.default.fileExists(atPath: notified) {
                try await Task.sleep(for: .milliseconds(100))
            }
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: notified)))
            #expect((json as? [String: Any])?["status"] as? String == "error")
            #expect(((json as? [String: Any])?["diagnostics"] as? [Any])?.count == 1)
            daemon.terminate()
            try await daemon.ended()
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("a push's config is invalid: its pipeline is recorded as error"), "\(text)")
            #expect(
                text.contains(
                    "diagnostics=.circleci/config.yml:10:9: error: cycle in requires: a -> b -> a\\n  hint: remove one of "
                        + "these requirements"), "\(text)")
        } cleanup: {
            await daemon.stop()
        }
    }
}

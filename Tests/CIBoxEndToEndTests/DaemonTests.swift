// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A bare repository people push to, a clone to push from, and a cibox home watching the bare one.
struct PushSetup {
    let root: TemporaryDirectory
    var cli: CLI
    var bare: String { root.appending("origin.git") }
    var clone: String { root.appending("work") }

    init(config: String) async throws {
        root = try TemporaryDirectory(prefix: "cibox-daemon")
        cli = try CLI()
        try await GitFixture.git(["init", "-q", "--bare", "-b", "main", bare], in: nil)
        try await GitFixture.git(["clone", "-q", bare, clone], in: nil)
        try await push(config: config, message: "initial")
    }

    /// Commits `config` as the pipeline config (and a change) and pushes `branch`.
    func push(config: String, message: String, branch: String = "main") async throws {
        try root.write(config, to: "work/.circleci/config.yml")
        try root.write(message + "\n", to: "work/NOTES")
        try await GitFixture.git(["checkout", "-q", "-B", branch], in: clone)
        try await GitFixture.git(["add", "-A"], in: clone)
        try await GitFixture.git(
            ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", message], in: clone)
        try await GitFixture.git(["push", "-q", "origin", branch], in: clone)
    }

    /// Starts `cibox daemon`; the returned process is stopped by the caller (``Process/stop()`` in the cleanup of
    /// ``withCleanup(_:cleanup:)``). A Foundation `Process`: tests kill it by pid mid-job and start another.
    func startDaemon(_ extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["daemon", "--home", cli.home.path, "--grace-period", "2"] + extra
        process.environment = ProcessInfo.processInfo.environment.merging(cli.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The pipelines as `cibox pipelines --json` lists them.
    func pipelines() async throws -> [[String: Any]] {
        let output = try await cli.run(["pipelines", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// Waits until `condition` holds on the pipelines (up to `seconds`).
    func wait(seconds: Double = 20, until condition: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        var list = try await pipelines()
        while !condition(list) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            list = try await pipelines()
        }
        return list
    }

    func remove() {
        cli.home.remove()
        root.remove()
    }
}

@Suite(.serialized, .machineSlot) struct DaemonTests {
    static let quickConfig = """
        version: 2.1
        jobs:
          build:
            steps:
              - checkout
              - run: echo built $CIRCLE_BRANCH
        workflows:
          w:
            jobs:
              - build:
                  filters: {branches: {ignore: skipme}}
        """

    @Test func aPushBuildsWithInotifyAndFiltersAreHonoured() async throws {
        let setup = try await PushSetup(config: Self.quickConfig)
        defer { setup.remove() }
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let daemon = try setup.startDaemon()
        try await withCleanup {
            try await Task.sleep(for: .milliseconds(500))
            try await setup.push(config: Self.quickConfig, message: "second")
            let built = try await setup.wait { list in list.first?["status"] as? String == "success" }
            #expect(built.count == 1)
            #expect(built.first?["trigger"] as? String == "push")
            #expect(built.first?["branch"] as? String == "main")
            try await setup.push(config: Self.quickConfig, message: "third", branch: "skipme")
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(try await setup.pipelines().count == 1)
            daemon.terminate()
            try await daemon.ended()
            #expect(daemon.terminationStatus == 0)
            let id = (built.first?["id"] as? NSNumber)?.intValue ?? 0
            let page = setup.cli.home.appending("reports/pipelines/\(id)/index.html")
            #expect(FileManager.default.fileExists(atPath: page), "the daemon keeps the HTML report up to date")
        } cleanup: {
            await daemon.stop()
        }
    }

    @Test func refsMovedWhileStoppedAreBuiltAtStart() async throws {
        let setup = try await PushSetup(config: Self.quickConfig)
        defer { setup.remove() }
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        try await setup.push(config: Self.quickConfig, message: "while down")
        try await setup.push(config: Self.quickConfig, message: "feature", branch: "feature")
        let daemon = try setup.startDaemon()
        try await withCleanup {
            let built = try await setup.wait { list in
                list.count == 2 && list.allSatisfy { $0["status"] as? String == "success" }
            }
            #expect(Set(built.compactMap { $0["branch"] as? String }) == ["main", "feature"])
        } cleanup: {
            await daemon.stop()
        }
    }

    @Test func killMinus9MidJobThenRestartMarksItInterruptedAndLeavesNothingRunning() async throws {
        let marker = Int.random(in: 100_000...999_999)
        let slow = """
            version: 2.1
            jobs:
              build:
                steps:
                  - run: echo started; setsid sleep \(marker) >/dev/null 2>&1 < /dev/null & sleep \(marker + 1)
            workflows:
              w:
                jobs: [build]
            """
        let setup = try await PushSetup(config: Self.quickConfig)
        defer { setup.remove() }
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let daemon = try setup.startDaemon()
        try await Task.sleep(for: .milliseconds(500))
        try await setup.push(config: slow, message: "slow")
        _ = try await setup.wait { list in list.first?["status"] as? String == "running" }
        for _ in 0..<50 where processCount(containing: "sleep \(marker + 1)") == 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(daemon.processIdentifier, SIGKILL)
        try await daemon.ended()
        // The job's agent is its guard: with its daemon gone, nothing of the job may outlive it for a second.
        var survivors = processCount(containing: "sleep \(marker)")
        for _ in 0..<10 where survivors > 0 {
            try await Task.sleep(for: .milliseconds(100))
            survivors = processCount(containing: "sleep \(marker)")
        }
        #expect(survivors == 0)
        // A CLI beside the daemon uses the same database.
        let restarted = try setup.startDaemon()
        try await withCleanup {
            let after = try await setup.wait { list in list.first?["status"] as? String == "failed" }
            #expect(after.first?["status"] as? String == "failed")
            let shown = try CLI.object(
                try await setup.cli.run(["show", String(after.first?["id"] as? Int ?? 0), "--json"]))
            let job = shown.objects("workflows")[0].objects("jobs")[0]
            #expect(job.string("status") == "interrupted")
            #expect(job.string("failure_reason") == "interrupted")
            let log = try await setup.cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout
            #expect(log == "started\n")
            for _ in 0..<30 where processCount(containing: "sleep \(marker)") > 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(processCount(containing: "sleep \(marker)") == 0)
            let check = try await ProcessRunner.run(
                "/usr/bin/sqlite3", [setup.cli.home.appending("cibox.sqlite"), "pragma integrity_check"])
            #expect(check.stdout == "ok\n" || check.status != 0)
            // The CLI runs pipelines while the daemon holds the same database.
            try setup.root.write(Self.quickConfig, to: "work/.circleci/config.yml")
            let local = try await setup.cli.run(["run", setup.clone, "--working-tree", "--json"])
            #expect(local.status == 0, "\(local.stderr)")
            #expect(!local.stderr.contains("database is locked"))
        } cleanup: {
            await restarted.stop()
        }
    }

    @Test func requeueRunsAnInterruptedPipelineAgain() async throws {
        // Outside /tmp: each job has a /tmp of its own.
        let flag = "/var/tmp/cibox-requeue-\(UUID().uuidString)"
        let marker = Int.random(in: 100_000...999_999)
        let config = """
            version: 2.1
            jobs:
              build:
                steps:
                  - run: if [ -f \(flag) ]; then echo second; else touch \(flag); sleep \(marker); fi
            workflows:
              w:
                jobs: [build]
            """
        let setup = try await PushSetup(config: Self.quickConfig)
        defer { setup.remove(); try? FileManager.default.removeItem(atPath: flag) }
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let daemon = try setup.startDaemon()
        try await Task.sleep(for: .milliseconds(500))
        try await setup.push(config: config, message: "flaky")
        for _ in 0..<100 where processCount(containing: "sleep \(marker)") == 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(daemon.processIdentifier, SIGKILL)
        try await daemon.ended()
        let restarted = try setup.startDaemon(["--requeue-interrupted"])
        try await withCleanup {
            let list = try await setup.wait { list in
                list.contains { $0["trigger"] as? String == "rerun" && $0["status"] as? String == "success" }
            }
            #expect(list.contains { $0["trigger"] as? String == "rerun" && $0["status"] as? String == "success" })
            #expect(list.contains { $0["trigger"] as? String == "push" && $0["status"] as? String == "failed" })
        } cleanup: {
            await restarted.stop()
        }
    }

    @Test func aNewerPushCancelsQueuedPipelinesOfTheBranch() async throws {
        let marker = Int.random(in: 100_000...999_999)
        let config = """
            version: 2.1
            jobs:
              build:
                resource_class: medium
                steps:
                  - run: sleep \(marker)
            workflows:
              w:
                jobs: [build]
            """
        let setup = try await PushSetup(config: Self.quickConfig)
        defer { setup.remove() }
        try setup.cli.home.write(
            "capacity: { cpus: 2, memory: 4GiB }\nauto_cancel: { default: true }\n", to: "settings.yml")
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let daemon = try setup.startDaemon()
        try await withCleanup {
            try await Task.sleep(for: .milliseconds(500))
            try await setup.push(config: config, message: "first")
            _ = try await setup.wait { list in list.first?["status"] as? String == "running" }
            for _ in 0..<100 where processCount(containing: "sleep \(marker)") == 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await setup.push(config: config, message: "second")
            _ = try await setup.wait { list in list.count == 2 }
            try await setup.push(config: config, message: "third")
            let list = try await setup.wait { list in
                list.count == 3 && list.contains { $0["status"] as? String == "canceled" }
            }
            // Newest first: the third waits for the slot, the second (never started) was canceled, the first runs.
            #expect(list.map { $0["number"] as? Int } == [3, 2, 1])
            #expect(list[1]["status"] as? String == "canceled")
            #expect(list[2]["status"] as? String == "running")
        } cleanup: {
            await daemon.stop()
        }
    }
}

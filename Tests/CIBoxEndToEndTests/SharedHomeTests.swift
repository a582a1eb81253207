// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Many cibox processes on one home: numbering, the schema, and the machine-wide slot ledger.
@Suite(.serialized, .machineSlot) struct SharedHomeTests {
    /// A job that appends its start and end time (seconds) as one line to `file`, holding its slot `seconds`.
    static func timedJob(_ name: String, file: String, seconds: Double) -> String {
        """
          \(name):
            resource_class: small
            steps:
              - run: s=$(date +%s.%N); sleep \(seconds); echo "$s $(date +%s.%N)" >> \(file)

        """
    }

    /// A config of one job, `name`, of one CPU, running `command`.
    static func oneJob(_ name: String, _ command: String) -> String {
        """
        version: 2.1
        jobs:
          \(name):
            resource_class: small
            steps:
              - run: \(command)
        workflows:
          w:
            jobs: [\(name)]
        """
    }

    /// The intervals the jobs wrote to `file`.
    static func intervals(in file: String) throws -> [(Date, Date)] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { line in
            let times = line.split(separator: " ").compactMap { Double($0) }
            guard times.count == 2 else { throw FixtureError("not a start and an end: '\(line)'") }
            return (Date(timeIntervalSince1970: times[0]), Date(timeIntervalSince1970: times[1]))
        }
    }

    /// Runs `cibox ARGUMENTS` `count` times at once and returns their outputs.
    static func atOnce(_ count: Int, _ cli: CLI, _ arguments: [String]) async throws -> [ProcessOutput] {
        try await withThrowingTaskGroup(of: ProcessOutput.self) { group in
            for _ in 1...count { group.addTask { try await cli.run(arguments) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// A step that does not use the pipeline's number (the store numbers it as it records it after a lost race),
    /// and one that does (compiled again with a number reserved for it).
    @Test(.timeLimit(.minutes(5)), arguments: ["'true'", "echo << pipeline.number >>"])
    func sixteenRunsAtOnceOnAFreshHomeAreNumberedOneToSixteen(command: String) async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.oneJob("b", command))
        defer { cli.home.remove(); repo.remove() }
        let runs = try await Self.atOnce(16, cli, ["run", repo.path, "--json"])
        for run in runs {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.localizedCaseInsensitiveContains("error"), "\(run.stderr)")
        }
        let pipelines = try runs.map { try CLI.object($0) }
        #expect(pipelines.compactMap { $0.int("number") }.sorted() == Array(1...16))
        #expect(pipelines.allSatisfy { $0.string("status") == "success" })
        #expect(try await SQLiteShell.integrityCheck(cli.home.appending("cibox.sqlite")) == "ok")
    }

    /// Many triggers at once, each running its own pipeline: none is lost, none fails for the database (320 at
    /// once also pass, in minutes on two cores; see the Store README).
    @Test(.timeLimit(.minutes(5)))
    func fortyTriggersAtOnceLoseNothing() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.oneJob("b", "'true'"))
        defer { cli.home.remove(); repo.remove() }
        #expect(try await cli.run(["project", "add", repo.path, "--name", "app"]).status == 0)
        let triggers = try await Self.atOnce(40, cli, ["trigger", "app", "--json"])
        for trigger in triggers {
            #expect(trigger.status == 0, "\(trigger.stderr)")
            #expect(!trigger.stderr.localizedCaseInsensitiveContains("error"), "\(trigger.stderr)")
        }
        let numbers = try triggers.compactMap { try CLI.object($0).int("number") }
        #expect(numbers.sorted() == Array(1...40))
        let leases = try await SQLiteShell.rows(cli.home.appending("cibox.sqlite"), "SELECT jobId FROM slotLease")
        #expect(leases.isEmpty)
    }

    @Test(.timeLimit(.minutes(5)))
    func threeProcessesSharingOneCPUNeverRunTwoJobsAtOnce() async throws {
        let cli = try CLI()
        try cli.home.write("capacity: { cpus: 1, memory: 8GiB }\n", to: "settings.yml")
        let marks = "/var/tmp/cibox-slots-\(UUID().uuidString)"
        let jobs = Self.timedJob("a", file: marks, seconds: 0.4) + Self.timedJob("b", file: marks, seconds: 0.4)
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n\(jobs)workflows:\n  w:\n    jobs: [a, b]\n")
        defer { cli.home.remove(); repo.remove(); try? FileManager.default.removeItem(atPath: marks) }
        let runs = try await Self.atOnce(3, cli, ["run", repo.path])
        for run in runs { #expect(run.status == 0, "\(run.stderr)") }
        let intervals = try Self.intervals(in: marks)
        #expect(intervals.count == 6)
        // One CPU, jobs of one CPU each, three processes: never two jobs at once.
        #expect(maximumOverlap(intervals) == 1)
    }

    @Test(.timeLimit(.minutes(5)))
    func theDaemonAndTwoRunsBesideItShareOneCPU() async throws {
        let marks = "/var/tmp/cibox-slots-\(UUID().uuidString)"
        let jobs = Self.timedJob("a", file: marks, seconds: 0.4) + Self.timedJob("b", file: marks, seconds: 0.4)
        let config = "version: 2.1\njobs:\n\(jobs)workflows:\n  w:\n    jobs: [a, b]\n"
        let setup = try await PushSetup(config: config)
        defer { setup.remove(); try? FileManager.default.removeItem(atPath: marks) }
        try setup.cli.home.write("capacity: { cpus: 1, memory: 8GiB }\n", to: "settings.yml")
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        let daemon = try setup.startDaemon()
        try await withCleanup {
            while !FileManager.default.fileExists(atPath: setup.cli.home.appending("daemon.lock")) {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await setup.push(config: config, message: "second")
            let runs = try await Self.atOnce(2, setup.cli, ["run", setup.clone])
            for run in runs { #expect(run.status == 0, "\(run.stderr)") }
            let list = try await setup.wait { list in
                list.count == 3 && list.allSatisfy { $0["status"] as? String == "success" }
            }
            #expect(list.compactMap { $0["trigger"] as? String }.sorted() == ["manual", "manual", "push"])
            let intervals = try Self.intervals(in: marks)
            #expect(intervals.count == 6)
            #expect(maximumOverlap(intervals) == 1)
        } cleanup: {
            await daemon.stop()
        }
    }

    /// A waiting process notices on its own (its periodic read of the ledger); a starting one at once.
    @Test(.timeLimit(.minutes(2)))
    func theSlotOfACiboxKilledWithSIGKILLIsGivenBack() async throws {
        let cli = try CLI()
        try cli.home.write("capacity: { cpus: 1, memory: 8GiB }\n", to: "settings.yml")
        let marker = "/var/tmp/cibox-killed-\(UUID().uuidString)"
        let holder = try await Repositories.with(config: Self.oneJob("hold", "echo $$ > \(marker); sleep 120"))
        let quick = try await Repositories.with(config: Self.oneJob("quick", "'true'"))
        defer { cli.home.remove(); holder.remove(); quick.remove() }
        let (run, _) = try cli.start(["run", holder.path])
        let database = cli.home.appending("cibox.sqlite")
        try await withCleanup {
            while !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
            // One run waits for the only CPU while the holder is killed; one starts after the kill.
            let waiting = Task { try await cli.run(["run", quick.path]) }
            while try await SQLiteShell.rows(database, "SELECT jobId FROM slotLease WHERE heldSince IS NULL").isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            kill(run.processIdentifier, SIGKILL)
            try await run.ended()
            let waited = try await waiting.value
            #expect(waited.status == 0, "\(waited.stderr)")
            let next = try await cli.run(["run", quick.path])
            #expect(next.status == 0, "\(next.stderr)")
        } cleanup: {
            await run.stop()
            let text = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
            if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
            try? FileManager.default.removeItem(atPath: marker)
        }
    }
}

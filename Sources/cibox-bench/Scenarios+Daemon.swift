// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// A bare repository, a clone to push from, and a cibox home watching the bare one.
    struct Watched {
        let root: String
        var bare: String { root + "/origin.git" }
        var clone: String { root + "/work" }
        var home: String { root + "/home" }

        init(config: String) throws {
            root = try BenchFixtures.temporaryFolder("cibox-bench-daemon")
            try BenchFixtures.run("/usr/bin/git", ["init", "-q", "--bare", "-b", "main", bare])
            try BenchFixtures.run("/usr/bin/git", ["clone", "-q", bare, clone])
            try FileManager.default.createDirectory(atPath: clone + "/.circleci", withIntermediateDirectories: true)
            try Data(config.utf8).write(to: URL(fileURLWithPath: clone + "/.circleci/config.yml"))
            try commitAndPush("initial")
            try BenchFixtures.run(BenchFixtures.ciboxBinary, ["project", "add", bare, "--home", home])
        }

        func commitAndPush(_ message: String) throws {
            try Data((message + "\n").utf8).write(to: URL(fileURLWithPath: clone + "/NOTES"))
            try BenchFixtures.run("/usr/bin/git", ["-C", clone, "add", "-A"])
            try BenchFixtures.run(
                "/usr/bin/git",
                ["-C", clone, "-c", "user.name=b", "-c", "user.email=b@e", "commit", "-q", "-m", message]
            )
            try BenchFixtures.run("/usr/bin/git", ["-C", clone, "push", "-q", "origin", "main"])
        }

        /// Runs `body` with a daemon started on the home, then stops it.
        func withDaemon<T>(_ body: (Process) throws -> T) throws -> T {
            let daemon = try startDaemon()
            defer {
                daemon.terminate()
                daemon.waitUntilExit()
            }
            return try body(daemon)
        }

        func startDaemon() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: BenchFixtures.ciboxBinary)
            process.arguments = ["daemon", "--home", home]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(500_000)
            return process
        }
    }

    /// Commit pushed → first job started, median over the iterations, against the push itself.
    static func pushLatency(_ context: BenchContext) throws -> [BenchRow] {
        let config =
            "version: 2.1\njobs:\n  build:\n    steps:\n      - run: \"true\"\nworkflows:\n  w:\n    jobs: [build]\n"
        let watched = try Watched(config: config)
        defer { try? FileManager.default.removeItem(atPath: watched.root) }
        let daemon = try watched.startDaemon()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let store = try PipelineStore(home: watched.home)
        var latencies: [Double] = []
        var pushes: [Double] = []
        for round in 0..<context.iterations {
            let before = Date()
            try watched.commitAndPush("round \(round)")
            pushes.append(Date().timeIntervalSince(before) * 1000)
            // From the moment git moved the branch (the ref file's time), not from when `git push` returned: the
            // daemon often starts the job before the push has finished.
            var info = stat()
            guard stat(watched.bare + "/refs/heads/main", &info) == 0 else {
                throw BenchError("round \(round): the pushed branch has no ref file in \(watched.bare)")
            }
            let pushed = Date(
                timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            let deadline = pushed.addingTimeInterval(10)
            var started: Date?
            while started == nil && Date() < deadline {
                if let latest = try store.history.pipelines(limit: 1).first, latest.number == round + 1,
                    let detail = try store.history.pipelineDetail(id: latest.id)
                {
                    started = detail.workflows.first?.jobs.first?.job.startedAt
                }
                if started == nil { usleep(1_000) }
            }
            guard let started else { throw BenchError("round \(round): no job started within 10 s of the push") }
            latencies.append(started.timeIntervalSince(pushed) * 1000)
            usleep(200_000)
        }
        return [
            BenchRow(
                scenario: "push-latency: branch moved → first job started (median of \(context.iterations))",
                figure: median(latencies), baseline: median(pushes), unit: "ms", baselineName: "the `git push` itself",
                goal: "≤ 50 ms"
            )
        ]
    }

    /// The idle daemon's memory (resident, and private anonymous: `/proc/PID/smaps_rollup`) after its start, after
    /// one pipeline, and after a start with 100,000 job rows; each read when the daemon has been idle long enough
    /// to give back what its work left mapped (its check runs every 5 s). Laminar's figure is the one issue 24
    /// quotes (Laminar is not installed here).
    static func daemonMemory(_ context: BenchContext) throws -> [BenchRow] {
        let config =
            "version: 2.1\njobs:\n  build:\n    steps:\n      - run: \"true\"\nworkflows:\n  w:\n    jobs: [build]\n"
        let watched = try Watched(config: config)
        defer { try? FileManager.default.removeItem(atPath: watched.root) }
        let idle: Duration = .seconds(11)
        let (started, ran) = try watched.withDaemon { daemon in
            let started = try DaemonMemory.read(pid: daemon.processIdentifier, after: idle)
            try watched.commitAndPush("one pipeline")
            // The push becomes a one-job pipeline of `true`: over within a second or two.
            let ran = try DaemonMemory.read(pid: daemon.processIdentifier, after: .seconds(4) + idle)
            return (started, ran)
        }
        try fillHistory(home: watched.home, jobs: 100_000)
        let full = try watched.withDaemon { try DaemonMemory.read(pid: $0.processIdentifier, after: idle) }
        let laminar = 9.6
        return [
            BenchRow(
                scenario: "daemon-memory: idle RSS after start", figure: started.resident, baseline: laminar,
                unit: "MB", baselineName: "Laminar's laminard idle, issue 24's figure", goal: "≤ 15 MB"),
            BenchRow(
                scenario: "daemon-memory: idle RSS after one pipeline", figure: ran.resident, baseline: laminar,
                unit: "MB", baselineName: "Laminar's laminard idle, issue 24's figure", goal: "≤ 15 MB"),
            BenchRow(
                scenario: "daemon-memory: private anonymous after one pipeline", figure: ran.anonymous,
                baseline: started.anonymous, unit: "MB", baselineName: "private anonymous after start",
                goal: "≤ 8 MB"),
            BenchRow(
                scenario: "daemon-memory: idle RSS with 100,000 job rows", figure: full.resident,
                baseline: started.resident, unit: "MB", baselineName: "idle RSS after start, empty history",
                goal: "≤ 20 MB"),
        ]
    }

    private static func fillHistory(home: String, jobs: Int) throws {
        let store = try PipelineStore(home: home)
        guard let project = try store.projects.projects().first else { throw BenchError("no project") }
        let perPipeline = 100
        let spec = JobSpec(
            definitionName: "job", steps: [StepPlan(name: "true", action: .run(RunAction(command: "true")))])
        let plan = Plan(
            version: "2.1",
            workflows: [
                WorkflowPlan(name: "w", jobs: (0..<perPipeline).map { JobPlan(name: "job\($0)", spec: spec) })
            ])
        for number in 0..<(jobs / perPipeline) {
            _ = try store.pipelines.record(
                NewPipeline(
                    projectID: project.id, number: 1_000 + number, uuid: UUID().uuidString,
                    revision: String(repeating: "0", count: 40),
                    treeID: String(repeating: "0", count: 40), branch: "main", tag: nil, trigger: .push,
                    source: .commit,
                    configHash: "bench", plan: plan
                )
            )
        }
    }
}

/// A process's memory from `/proc/PID/smaps_rollup`, in MB.
struct DaemonMemory {
    var resident: Double
    var anonymous: Double

    /// The memory of process `pid` after waiting `wait`.
    static func read(pid: Int32, after wait: Duration) throws -> DaemonMemory {
        let (seconds, attoseconds) = wait.components
        usleep(UInt32(seconds) * 1_000_000 + UInt32(attoseconds / 1_000_000_000_000))
        let text = try String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)
        func field(_ name: String) -> Double {
            let line = text.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
            return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
        }
        return DaemonMemory(resident: field("Rss"), anonymous: field("Anonymous"))
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether the crash suite can run: recovery kills what a crashed daemon's jobs left through their cgroups
/// (root here), and the snapshots are read with the `sqlite3` program.
private let canCrash: Bool = getuid() == 0 && SQLiteShell.isAvailable

/// The crash suite: `kill -9` of the daemon at seeded moments of a multi-job pipeline's life (noticing the
/// push, compiling, recording, step output, cache save, test results and artifacts, report writes), then a
/// restart, and every promise of DESIGN.md's "Reliability and security invariants" checked (see
/// ``CrashInvariants``). `CIBOX_CRASH_SEED=N` repeats a schedule; `CIBOX_CRASH_ITERATIONS` sets its length.
@Suite(.serialized, .machineSlot) struct CrashTests {
    @Test(.enabled(if: canCrash, "needs root (recovery kills leftover jobs through cgroups) and /usr/bin/sqlite3"))
    func killMinus9AtSeededMomentsLosesNothingCommitted() async throws {
        let settings = CrashSettings.fromEnvironment()
        print("crash suite seed: \(settings.seed) (\(settings.iterations) kills); reproduce: \(settings.reproduction)")
        let project = try await CrashProject()
        let logs = try TemporaryDirectory(prefix: "cibox-crash-logs")
        defer {
            project.remove()
            logs.remove()
        }
        var run = CrashRun(settings: settings, project: project, logFolder: logs.path)
        try await run.start()
        try await withCleanup {
            for (index, moment) in CrashMoment.schedule(settings).enumerated() {
                guard try await run.iterate(index, moment) else { break }
            }
            if run.failures.isEmpty { try await run.finish() }
        } cleanup: {
            await run.daemon?.stop()
        }
        let moments = run.momentCounts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        print(
            "crash suite seed \(settings.seed): kills fell during "
                + moments.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        for failure in run.failures { Issue.record(Comment(rawValue: failure)) }
    }
}

/// The state of one crash-suite run: the daemon now running, what was pushed, what broke.
struct CrashRun {
    let settings: CrashSettings
    let project: CrashProject
    let logFolder: String
    var daemon: CrashDaemon?
    /// Each pushed commit's marker.
    var markers: [String: Int] = [:]
    /// How many kills fell in each moment of the pipeline's life.
    var momentCounts: [String: Int] = [:]
    /// Failure messages, each naming the seed, the iteration and the broken invariant.
    var failures: [String] = []
    private var starts = 0

    init(settings: CrashSettings, project: CrashProject, logFolder: String) {
        self.settings = settings
        self.project = project
        self.logFolder = logFolder
    }

    /// Starts the first daemon.
    mutating func start() async throws {
        guard try await startDaemon() else {
            failures.append(message("before the first kill", ["[daemon-restarts] the daemon did not start"]))
            return
        }
    }

    /// Starts a daemon and waits until it has recovered; false when it did not get there.
    private mutating func startDaemon() async throws -> Bool {
        starts += 1
        let started = try CrashDaemon(home: project.home, logPath: "\(logFolder)/daemon-\(starts).log")
        daemon = started
        return try await started.waitUntilWatching()
    }

    /// One kill: push, wait the moment's delay, `kill -9`, snapshot, restart, check. False once something broke.
    mutating func iterate(_ index: Int, _ moment: CrashMoment) async throws -> Bool {
        let sha = try await project.push(marker: moment.marker, message: "iteration \(index)")
        markers[sha] = moment.marker
        try await Task.sleep(for: .milliseconds(moment.delayMilliseconds))
        try await daemon?.kill9()
        let before = try await HistorySnapshot.read(home: project.home)
        let kind = Self.moment(of: sha, in: before)
        momentCounts[kind, default: 0] += 1
        let context =
            "iteration \(index + 1) of \(settings.iterations) (kill \(moment.delayMilliseconds) ms after "
            + "the push of \(sha.prefix(12)), during \(kind))"
        guard try await startDaemon(), let daemon else {
            failures.append(message(context, ["[daemon-restarts] the daemon did not recover and start: \(daemonLog)"]))
            return false
        }
        let after = try await HistorySnapshot.read(home: project.home)
        var invariants = CrashInvariants(
            home: project.home, before: before, after: after, daemonPID: daemon.pid, markers: markers)
        await invariants.checkAll()
        try await invariants.checkNoJobProcess()
        try await invariants.checkReportCurrent()
        // A push the kill came before is built by the restarted daemon's catch-up: none may be lost.
        let built = try await eventually(seconds: 15) {
            try await SQLiteShell.rows(project.database, "SELECT id FROM pipeline WHERE revision = '\(sha)'").count > 0
        }
        if !built { invariants.fail("push-built", "no pipeline for the pushed commit \(sha) after the restart") }
        guard invariants.violations.isEmpty else {
            failures.append(message(context, invariants.violations))
            return false
        }
        return true
    }

    /// After the last kill: every pipeline ends, and a new push runs to success (`next-pipeline-runs`).
    mutating func finish() async throws {
        let settled = try await eventually(seconds: 90) {
            try await SQLiteShell.rows(
                project.database, "SELECT id FROM pipeline WHERE status IN ('queued', 'running')"
            )
            .isEmpty
        }
        let marker = Int.random(in: 1_000_000...9_999_999)
        let sha = try await project.push(marker: marker, message: "after the last kill")
        markers[sha] = marker
        var status = ""
        _ = try await eventually(seconds: 60) {
            status =
                try await SQLiteShell.rows(project.database, "SELECT status FROM pipeline WHERE revision = '\(sha)'")
                .first?.string("status") ?? ""
            return HistorySnapshot.isFinal(pipelineStatus: status) && !status.isEmpty
        }
        await daemon?.stop()
        let snapshot = try await HistorySnapshot.read(home: project.home)
        var invariants = CrashInvariants(
            home: project.home, before: snapshot, after: snapshot, daemonPID: 0, markers: markers)
        await invariants.checkAll()
        if !settled { invariants.fail("next-pipeline-runs", "pipelines were still open 90 s after the last kill") }
        if status != "success" {
            invariants.fail("next-pipeline-runs", "the pipeline pushed after the last recovery ended '\(status)'")
        }
        if !invariants.violations.isEmpty {
            failures.append(message("after the last kill", invariants.violations))
        }
    }

    /// The daemon's log, for failure messages.
    private var daemonLog: String {
        String((daemon?.log ?? "").suffix(2000))
    }

    /// A failure message: the seed, where it happened, each broken invariant, and how to reproduce.
    private func message(_ context: String, _ violations: [String]) -> String {
        "crash suite seed \(settings.seed), \(context): "
            + "\(violations.count) invariant(s) broken:\n  " + violations.joined(separator: "\n  ")
            + "\nreproduce: \(settings.reproduction)"
    }

    /// Where in the pipeline's life of commit `sha` the kill fell, read from the state just after it.
    static func moment(of sha: String, in snapshot: HistorySnapshot) -> String {
        guard let pipeline = snapshot.pipelines.values.filter({ $0.revision == sha }).max(by: { $0.id < $1.id })
        else { return "noticing the push or compiling (nothing recorded)" }
        if HistorySnapshot.isFinal(pipelineStatus: pipeline.status) { return "after the pipeline's end" }
        let jobs = snapshot.jobs(ofPipeline: pipeline.id)
        if jobs.allSatisfy({ ["queued", "blocked"].contains($0.status) }) { return "recording or starting" }
        let running = jobs.flatMap { job in
            snapshot.steps(ofJob: job.id).filter { $0.status == "running" }.map { (job.name, $0.key.position) }
        }
        let names = Set(running.map { "\($0.0)/\($0.1)" })
        if names.contains("cache/2") { return "cache save" }
        if names.contains("results/1") || names.contains("results/2") { return "test results or artifacts" }
        if names.contains("output/1") { return "step output" }
        if names.contains("verify/0") { return "cache restore" }
        if !running.isEmpty { return "checkout or another step" }
        return "between jobs (report write)"
    }
}

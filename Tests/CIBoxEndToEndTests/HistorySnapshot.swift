// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

/// Reads a cibox database with the `sqlite3` program, read-only: a snapshot taken after a `kill -9` leaves
/// the WAL exactly as the crash left it (a read-write `sqlite3` would checkpoint and delete it on close, so the
/// restarted daemon would not be the first to recover it).
enum SQLiteShell {
    /// The `sqlite3` program.
    static let program = "/usr/bin/sqlite3"

    /// Whether `sqlite3` is installed.
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: program) }

    /// The rows `sql` returns, as JSON objects.
    static func rows(_ database: String, _ sql: String) async throws -> [[String: Any]] {
        let output = try await ProcessRunner.run(
            program, ["-readonly", "-json", "-cmd", ".timeout 20000", database, sql])
        guard output.status == 0 else { throw FixtureError("sqlite3 failed on '\(sql)': \(output.stderr)") }
        let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return [] }
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
    }

    /// What `PRAGMA integrity_check` says ("ok" when the database is sound).
    static func integrityCheck(_ database: String) async throws -> String {
        let output = try await ProcessRunner.run(
            program, ["-readonly", "-cmd", ".timeout 20000", database, "PRAGMA integrity_check"])
        guard output.status == 0 else { return "sqlite3 failed (\(output.status)): \(output.stderr)" }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A step row's key: its job run and position.
struct StepKey: Hashable, CustomStringConvertible {
    var jobID: Int
    var position: Int

    var description: String { "job \(jobID) step \(position)" }
}

/// What a cibox state folder holds at one moment: the pipeline, job and step rows, and each step log's size.
struct HistorySnapshot {
    struct Pipeline {
        var id: Int
        var status: String
        var revision: String
        var ownerPid: Int?
        var errorMessage: String?
    }

    struct Job {
        var id: Int
        var pipelineID: Int
        var name: String
        var status: String
        var failureReason: String?
    }

    struct Step {
        var key: StepKey
        var name: String
        var status: String
        var logBytes: Int
    }

    var pipelines: [Int: Pipeline] = [:]
    var jobs: [Int: Job] = [:]
    var steps: [StepKey: Step] = [:]
    /// Each step log file's size in bytes (absent when the file does not exist).
    var logSizes: [StepKey: Int] = [:]

    /// Reads `home`'s database and log files.
    static func read(home: String) async throws -> HistorySnapshot {
        let database = home + "/cibox.sqlite"
        var snapshot = HistorySnapshot()
        for row in try await SQLiteShell.rows(
            database, "SELECT id, status, revision, ownerPid, errorMessage FROM pipeline")
        {
            let pipeline = Pipeline(
                id: row.int("id") ?? 0, status: row.string("status") ?? "", revision: row.string("revision") ?? "",
                ownerPid: row.int("ownerPid"), errorMessage: row.string("errorMessage"))
            snapshot.pipelines[pipeline.id] = pipeline
        }
        for row in try await SQLiteShell.rows(database, "SELECT id, pipelineId, name, status, failureReason FROM job") {
            let job = Job(
                id: row.int("id") ?? 0, pipelineID: row.int("pipelineId") ?? 0, name: row.string("name") ?? "",
                status: row.string("status") ?? "", failureReason: row.string("failureReason"))
            snapshot.jobs[job.id] = job
        }
        for row in try await SQLiteShell.rows(database, "SELECT jobId, position, name, status, logBytes FROM step") {
            let key = StepKey(jobID: row.int("jobId") ?? 0, position: row.int("position") ?? 0)
            snapshot.steps[key] = Step(
                key: key, name: row.string("name") ?? "", status: row.string("status") ?? "",
                logBytes: row.int("logBytes") ?? 0)
            let attributes = try? FileManager.default.attributesOfItem(atPath: logPath(home: home, key))
            if let size = (attributes?[.size] as? NSNumber)?.intValue { snapshot.logSizes[key] = size }
        }
        return snapshot
    }

    /// The log file of step `key`.
    static func logPath(home: String, _ key: StepKey) -> String {
        "\(home)/logs/\(key.jobID)/\(key.position).log"
    }

    /// The job runs of pipeline `id`.
    func jobs(ofPipeline id: Int) -> [Job] {
        jobs.values.filter { $0.pipelineID == id }.sorted { $0.id < $1.id }
    }

    /// The steps of job run `id`, in order.
    func steps(ofJob id: Int) -> [Step] {
        steps.values.filter { $0.key.jobID == id }.sorted { $0.key.position < $1.key.position }
    }

    /// Whether a pipeline or workflow status is final.
    static func isFinal(pipelineStatus status: String) -> Bool {
        !["queued", "running"].contains(status)
    }

    /// Whether a job status is final.
    static func isFinal(jobStatus status: String) -> Bool {
        !["queued", "blocked", "running"].contains(status)
    }
}

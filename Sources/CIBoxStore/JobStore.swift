// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation
import GRDB

/// Job runs and their steps as they run (status, start, end, what they used), approvals of held jobs, and
/// attempts (a rerun's number, the job runs it reuses).
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.jobs`) that holds only the shared writer.
/// Concurrency: safe from any task; each method is one write transaction on the shared writer.
/// Errors: ``StoreError`` `notFound` when no job of that name waits for approval, `database` when SQLite fails
/// (the underlying error as its `cause`).
package struct JobStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Sets job run `id`'s status (and start time when given); used for queued, blocked, running, on hold, not run.
    /// The steps of a job run that ended without starting them become `not_run`.
    package func setJob(_ id: Int64, status: JobStatus, startedAt: Date? = nil) throws(StoreError) {
        try database.write("update job \(id)") { db in
            try db.execute(
                sql: "UPDATE job SET status = ?, startedAt = COALESCE(startedAt, ?) WHERE id = ?",
                arguments: [status.rawValue, startedAt?.stored, id]
            )
            try UnstartedSteps.settle(jobID: id, status: status, db: db)
        }
    }

    /// Records how job run `id` ended, what it used, the resource class it ran as and the image it ran in (nil: on
    /// the host); steps it never started become `not_run`.
    package func finishJob(
        _ id: Int64, status: JobStatus, exitCode: Int?, failureReason: FailureReason?, failureMessage: String?,
        startedAt: Date?, finishedAt: Date, resources: JobResources = JobResources(), resourceClass: String? = nil,
        image: JobImage? = nil
    ) throws(StoreError) {
        try database.write("finish job \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, exitCode = ?, failureReason = ?, failureMessage = ?,
                    startedAt = COALESCE(startedAt, ?), finishedAt = ?, isolation = ?, cpuSeconds = ?,
                    peakMemoryBytes = ?, oomKills = ?, memoryLimitBytes = ?, millicoresLimit = ?,
                    pidsLimitHits = ?, pidsLimit = ?, resourceClass = COALESCE(?, resourceClass), imageReference = ?,
                    imageDigest = ? WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, exitCode, failureReason?.rawValue, failureMessage, startedAt?.stored,
                    finishedAt.stored,
                    resources.isolation, resources.cpuSeconds, resources.peakMemoryBytes, resources.oomKills,
                    resources.memoryLimitBytes, resources.millicoresLimit, resources.pidsLimitHits, resources.pidsLimit,
                    resourceClass, image?.reference, image?.digest, id,
                ]
            )
            try UnstartedSteps.settle(jobID: id, status: status, db: db)
        }
    }

    /// Marks step `index` of job run `jobID` running.
    package func startStep(jobID: Int64, index: Int, at date: Date) throws(StoreError) {
        try database.write("start step \(index) of job \(jobID)") { db in
            try db.execute(
                sql: "UPDATE step SET status = ?, startedAt = ? WHERE jobId = ? AND position = ?",
                arguments: [StepStatus.running.rawValue, date.stored, jobID, index]
            )
        }
    }

    /// Records how step `index` of job run `jobID` ended.
    package func finishStep(
        jobID: Int64, index: Int, status: StepStatus, exitCode: Int?, logBytes: Int64, finishedAt: Date?
    ) throws(StoreError) {
        try database.write("finish step \(index) of job \(jobID)") { db in
            try db.execute(
                sql:
                    "UPDATE step SET status = ?, exitCode = ?, logBytes = ?, finishedAt = ? WHERE jobId = ? AND position = ?",
                arguments: [status.rawValue, exitCode, logBytes, finishedAt?.stored, jobID, index]
            )
        }
    }

    /// Approves the held approval job `name` of pipeline `pipelineID` (it becomes `success`).
    /// - Returns: the approved job run's id.
    /// - Throws: ``StoreError`` `notFound` naming the jobs that wait for approval, if any.
    package func approve(pipelineID: Int64, jobName name: String) throws(StoreError) -> Int64 {
        try database.write("approve '\(name)' in pipeline \(pipelineID)") { db in
            let held = try JobRecord.filter(
                Column("pipelineId") == pipelineID && Column("status") == JobStatus.onHold.rawValue
            )
            .fetchAll(db)
            guard let job = held.first(where: { $0.name == name }), let id = job.id else {
                let names = held.map { "'\($0.name)'" }.joined(separator: ", ")
                throw StoreError(
                    .notFound,
                    "Pipeline \(pipelineID) has no job '\(name)' waiting for approval"
                        + (names.isEmpty ? "." : "; waiting: \(names).")
                )
            }
            let now = Date()
            try db.execute(
                sql: "UPDATE job SET status = ?, startedAt = COALESCE(startedAt, ?), finishedAt = ? WHERE id = ?",
                arguments: [JobStatus.success.rawValue, now.stored, now.stored, id]
            )
            return id
        }
    }

    /// Marks job run `id` as passed without running (a rerun of failed jobs keeps what passed): `success`,
    /// its steps `not_run`, and `note` as its message.
    package func markReused(jobID id: Int64, note: String) throws(StoreError) {
        try database.write("reuse job \(id)") { db in
            let now = Date()
            try db.execute(
                sql: "UPDATE job SET status = ?, failureMessage = ?, startedAt = ?, finishedAt = ? WHERE id = ?",
                arguments: [JobStatus.success.rawValue, note, now.stored, now.stored, id]
            )
            try db.execute(
                sql: "UPDATE step SET status = ? WHERE jobId = ?", arguments: [StepStatus.notRun.rawValue, id]
            )
        }
    }

    /// Sets job run `id`'s attempt number.
    package func setAttempt(jobID id: Int64, attempt: Int) throws(StoreError) {
        try database.write("number the attempt of job \(id)") { db in
            try db.execute(sql: "UPDATE job SET attempt = ? WHERE id = ?", arguments: [attempt, id])
        }
    }
}

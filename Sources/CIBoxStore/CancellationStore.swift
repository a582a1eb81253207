// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation
import GRDB

/// Cancel requests: asking for a pipeline's or a job run's unfinished work to stop (the process running it acts on
/// the request), settling a pipeline that has nothing running to act on it, and finding the pipelines a newer
/// push makes redundant.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.cancellations`) that holds only the shared writer.
/// Concurrency: safe from any task; a request is one write transaction on the shared writer, and any process
/// (a `cibox cancel` beside the daemon) may make one: the running process polls ``cancelRequests(pipelineID:)``.
/// Errors: ``StoreError`` `notFound` for a missing pipeline or job run, `database` when SQLite fails (the
/// underlying error as its `cause`).
package struct CancellationStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// The statuses a job run can still leave.
    private static let activeStatuses = [JobStatus.queued, .blocked, .running, .onHold].map(\.rawValue)

    /// Asks for every unfinished job run of pipeline `id` to be cancelled; the process running it acts on it.
    /// - Returns: the job runs asked (none when the pipeline has ended).
    /// - Throws: ``StoreError`` `notFound` when there is no such pipeline.
    @discardableResult
    package func requestCancel(pipelineID id: Int64) throws(StoreError) -> [Int64] {
        try database.write("cancel pipeline \(id)") { db in
            guard try PipelineRecord.fetchOne(db, key: id) != nil else {
                throw StoreError(.notFound, "No pipeline with id \(id). `cibox pipelines` lists them.")
            }
            let ids = try Int64.fetchAll(
                db,
                JobRecord.select(Column("id"))
                    .filter(Column("pipelineId") == id && Self.activeStatuses.contains(Column("status")))
            )
            try db.execute(
                sql:
                    "UPDATE job SET cancelRequestedAt = COALESCE(cancelRequestedAt, ?) WHERE id IN (\(ids.map(String.init).joined(separator: ",")))",
                arguments: [Date().stored]
            )
            try settleHeldPipeline(id, at: Date(), db: db)
            return ids
        }
    }

    /// Asks for job run `id` to be cancelled.
    /// - Returns: whether it was still unfinished.
    /// - Throws: ``StoreError`` `notFound` when there is no such job run.
    @discardableResult
    package func requestCancel(jobID id: Int64) throws(StoreError) -> Bool {
        try database.write("cancel job \(id)") { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else {
                throw StoreError(.notFound, "No job with id \(id). `cibox show PIPELINE_ID` lists a pipeline's jobs.")
            }
            guard Self.activeStatuses.contains(job.status) else { return false }
            try db.execute(
                sql: "UPDATE job SET cancelRequestedAt = COALESCE(cancelRequestedAt, ?) WHERE id = ?",
                arguments: [Date().stored, id]
            )
            return true
        }
    }

    /// Unfinished job runs of pipeline `id` that someone asked to cancel.
    package func cancelRequests(pipelineID id: Int64) throws(StoreError) -> [Int64] {
        try database.read("read cancel requests of pipeline \(id)") { db in
            try Int64.fetchAll(
                db,
                JobRecord.select(Column("id"))
                    .filter(
                        Column("pipelineId") == id && Column("cancelRequestedAt") != nil
                            && Self.activeStatuses.contains(Column("status"))
                    )
            )
        }
    }

    /// Earlier pipelines of `branch` in project `projectID` that have not started any job yet (a newer push
    /// makes them redundant).
    package func redundantPipelines(projectID: Int64, branch: String, before id: Int64) throws(StoreError) -> [Int64] {
        try database.read("find redundant pipelines") { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT p.id FROM pipeline p WHERE p.projectId = ? AND p.branch = ? AND p.id < ?
                    AND p.status IN (?, ?)
                    AND NOT EXISTS (SELECT 1 FROM job j WHERE j.pipelineId = p.id AND j.startedAt IS NOT NULL)
                    """,
                arguments: [projectID, branch, id, PipelineStatus.queued.rawValue, PipelineStatus.running.rawValue]
            )
        }
    }

    /// A pipeline with nothing running or waiting for a slot (on hold for an approval) has no process that
    /// would act on a cancel request: its held and blocked jobs, its workflows and itself end `canceled` now.
    private func settleHeldPipeline(_ id: Int64, at now: Date, db: Database) throws {
        let busy = try JobRecord.filter(
            Column("pipelineId") == id
                && [JobStatus.running.rawValue, JobStatus.queued.rawValue].contains(Column("status"))
        ).fetchCount(db)
        guard busy == 0 else { return }
        let canceled = JobStatus.canceled.rawValue
        try db.execute(
            sql:
                "UPDATE job SET status = ?, failureReason = ?, finishedAt = ? WHERE pipelineId = ? AND status IN (?, ?)",
            arguments: [
                canceled, FailureReason.canceled.rawValue, now.stored, id, JobStatus.onHold.rawValue,
                JobStatus.blocked.rawValue,
            ]
        )
        try UnstartedSteps.settle(pipelineID: id, db: db)
        let open = [PipelineStatus.onHold.rawValue, PipelineStatus.queued.rawValue, PipelineStatus.running.rawValue]
        try db.execute(
            sql: "UPDATE workflow SET status = ?, finishedAt = ? WHERE pipelineId = ? AND status IN (?, ?, ?)",
            arguments: [canceled, now.stored, id, open[0], open[1], open[2]]
        )
        try db.execute(
            sql: "UPDATE pipeline SET status = ?, finishedAt = ? WHERE id = ? AND status IN (?, ?, ?)",
            arguments: [canceled, now.stored, id, open[0], open[1], open[2]]
        )
    }
}

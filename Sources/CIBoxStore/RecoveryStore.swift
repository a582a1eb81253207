// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import Foundation
import GRDB

/// Which process runs each pipeline (`ownerPid`, `ownerStartTime`), and what becomes of a pipeline whose
/// process went away: marked interrupted with its logs' sizes recorded, or (`RecoveryStore+Reattach.swift`)
/// made ready for a new process to attach to the job runs still alive on a cluster.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.recovery`) that holds only the shared writer.
/// Concurrency: safe from any task; each change is one write transaction on the shared writer, so a pipeline is
/// never seen half interrupted.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct RecoveryStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Records `owner` as the process running pipeline `id` (the daemon, or a `cibox run`).
    package func claim(pipelineID id: Int64, owner: ProcessIdentity) throws(StoreError) {
        try database.write("claim pipeline \(id)") { db in
            try db.execute(
                sql: "UPDATE pipeline SET ownerPid = ?, ownerStartTime = ? WHERE id = ?",
                arguments: [owner.pid, owner.startTime, id]
            )
        }
    }

    /// Of job runs `ids`, those still queued or running (a live cibox may be running them).
    package func unfinishedJobs(_ ids: [Int64]) throws(StoreError) -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try database.read("find unfinished job runs") { db in
            Set(
                try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT id FROM job WHERE status IN (?, ?) AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                    arguments: StatementArguments(
                        [JobStatus.queued.rawValue, JobStatus.running.rawValue] as [any DatabaseValueConvertible]
                            + ids.map { $0 as any DatabaseValueConvertible })))
        }
    }

    /// Unfinished pipelines whose owning process is gone (killed with -9, machine restarted, …).
    package func orphanedPipelines() throws(StoreError) -> [Int64] {
        let rows: [(Int64, Int32?, Int64?)] = try database.read("find orphaned pipelines") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, ownerPid, ownerStartTime FROM pipeline WHERE status IN (?, ?)",
                arguments: [PipelineStatus.queued.rawValue, PipelineStatus.running.rawValue]
            ).map { ($0["id"], $0["ownerPid"], $0["ownerStartTime"]) }
        }
        return rows.filter { _, pid, start in
            guard let pid, let start else { return true }
            return !ProcessIdentity(pid: pid, startTime: start).isAlive
        }.map(\.0)
    }

    /// Marks pipeline `id` as interrupted: jobs that were running or waiting for a slot become `interrupted`
    /// (`failure_reason: interrupted`), jobs waiting for them `not_run`; its workflows and itself `failed`.
    /// Logs are kept as they are.
    /// - Returns: the job runs that were interrupted.
    @discardableResult
    package func markInterrupted(pipelineID id: Int64, at date: Date = Date()) throws(StoreError) -> [Int64] {
        try database.write("mark pipeline \(id) interrupted") { db in
            let ids = try Int64.fetchAll(
                db, sql: "SELECT id FROM job WHERE pipelineId = ? AND status IN (?, ?)",
                arguments: [id, JobStatus.running.rawValue, JobStatus.queued.rawValue]
            )
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, failureReason = ?, failureMessage = ?, finishedAt = ?
                    WHERE pipelineId = ? AND status IN (?, ?)
                    """,
                arguments: [
                    JobStatus.interrupted.rawValue, FailureReason.interrupted.rawValue,
                    "cibox stopped while this job ran (crash or kill); its log is kept up to that moment.", date.stored,
                    id,
                    JobStatus.running.rawValue, JobStatus.queued.rawValue,
                ]
            )
            try db.execute(
                sql:
                    "UPDATE step SET status = ? WHERE jobId IN (SELECT id FROM job WHERE pipelineId = ?) AND status = ?",
                arguments: [StepStatus.interrupted.rawValue, id, StepStatus.running.rawValue]
            )
            try db.execute(
                sql: "UPDATE job SET status = ? WHERE pipelineId = ? AND status = ?",
                arguments: [JobStatus.notRun.rawValue, id, JobStatus.blocked.rawValue]
            )
            try UnstartedSteps.settle(pipelineID: id, db: db)
            let open = [PipelineStatus.queued.rawValue, PipelineStatus.running.rawValue]
            try db.execute(
                sql: "UPDATE workflow SET status = ?, finishedAt = ? WHERE pipelineId = ? AND status IN (?, ?)",
                arguments: [PipelineStatus.failed.rawValue, date.stored, id, open[0], open[1]]
            )
            try db.execute(
                sql: "UPDATE pipeline SET status = ?, finishedAt = ?, errorMessage = ? WHERE id = ?",
                arguments: [PipelineStatus.failed.rawValue, date.stored, "interrupted: cibox stopped while it ran", id]
            )
            return ids
        }
    }

    /// After a daemon stopped pipeline `id` at shutdown, its jobs canceled since `date` are recorded as
    /// `interrupted` (the daemon went away; nobody canceled them).
    package func markCanceledAsInterrupted(pipelineID id: Int64, since date: Date) throws(StoreError) {
        try database.write("mark pipeline \(id) interrupted at shutdown") { db in
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, failureReason = ? WHERE pipelineId = ? AND status = ?
                    AND (finishedAt IS NULL OR finishedAt >= ?)
                    """,
                arguments: [
                    JobStatus.interrupted.rawValue, FailureReason.interrupted.rawValue, id, JobStatus.canceled.rawValue,
                    date.stored,
                ]
            )
        }
    }

    /// Records the size of each log file of job runs `jobIDs` (steps cut off by a crash keep what they
    /// wrote up to it).
    package func refreshLogSizes(jobIDs: [Int64]) throws(StoreError) {
        try database.write("record log sizes") { db in
            for jobID in jobIDs {
                let positions = try Int.fetchAll(
                    db, sql: "SELECT position FROM step WHERE jobId = ?", arguments: [jobID])
                for position in positions {
                    let path = database.logPath(jobID: jobID, step: position)
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
                    guard let size else { continue }
                    try db.execute(
                        sql: "UPDATE step SET logBytes = ? WHERE jobId = ? AND position = ?",
                        arguments: [size, jobID, position]
                    )
                }
            }
        }
    }
}

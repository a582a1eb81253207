// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import Foundation
import GRDB

/// A running process, told apart from a later one that reuses its pid by its start time.
package struct ProcessIdentity: Sendable, Equatable {
    /// The pid.
    package var pid: Int32
    /// Its start time in clock ticks since boot (`/proc/PID/stat`, field 22).
    package var startTime: Int64

    /// Makes an identity.
    package init(pid: Int32, startTime: Int64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// The identity of process `pid` now, or nil when it does not exist.
    package static func of(_ pid: Int32) -> ProcessIdentity? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command come: state(1) ppid … starttime is field 22 overall, index 19 here.
        guard fields.count > 19, let start = Int64(fields[19]) else { return nil }
        return ProcessIdentity(pid: pid, startTime: start)
    }

    /// This process.
    package static var current: ProcessIdentity? { of(getpid()) }

    /// Whether this exact process is still alive (not a zombie).
    package var isAlive: Bool {
        guard let now = Self.of(pid), now.startTime == startTime else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}

extension PipelineStore {
    /// Records `owner` as the process running pipeline `id` (the daemon, or a `cibox run`).
    package func claim(pipelineID id: Int64, owner: ProcessIdentity) throws(StoreError) {
        try write("claim pipeline \(id)") { db in
            try db.execute(
                sql: "UPDATE pipeline SET ownerPid = ?, ownerStartTime = ? WHERE id = ?",
                arguments: [owner.pid, owner.startTime, id]
            )
        }
    }

    /// Unfinished pipelines whose owning process is gone (killed with -9, machine restarted, …).
    package func orphanedPipelines() throws(StoreError) -> [Int64] {
        let rows: [(Int64, Int32?, Int64?)] = try read("find orphaned pipelines") { db in
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
        try write("mark pipeline \(id) interrupted") { db in
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
                    "cibox stopped while this job ran (crash or kill); its log is kept up to that moment.", date, id,
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
            let open = [PipelineStatus.queued.rawValue, PipelineStatus.running.rawValue]
            try db.execute(
                sql: "UPDATE workflow SET status = ?, finishedAt = ? WHERE pipelineId = ? AND status IN (?, ?)",
                arguments: [PipelineStatus.failed.rawValue, date, id, open[0], open[1]]
            )
            try db.execute(
                sql: "UPDATE pipeline SET status = ?, finishedAt = ?, errorMessage = ? WHERE id = ?",
                arguments: [PipelineStatus.failed.rawValue, date, "interrupted: cibox stopped while it ran", id]
            )
            return ids
        }
    }

    /// Earlier pipelines of `branch` in project `projectID` that have not started any job yet (a newer push
    /// makes them redundant).
    package func redundantPipelines(projectID: Int64, branch: String, before id: Int64) throws(StoreError) -> [Int64] {
        try read("find redundant pipelines") { db in
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

    /// After a daemon stopped pipeline `id` at shutdown, its jobs canceled since `date` are recorded as
    /// `interrupted` (the daemon went away; nobody canceled them).
    package func markCanceledAsInterrupted(pipelineID id: Int64, since date: Date) throws(StoreError) {
        try write("mark pipeline \(id) interrupted at shutdown") { db in
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, failureReason = ? WHERE pipelineId = ? AND status = ?
                    AND (finishedAt IS NULL OR finishedAt >= ?)
                    """,
                arguments: [
                    JobStatus.interrupted.rawValue, FailureReason.interrupted.rawValue, id, JobStatus.canceled.rawValue,
                    date,
                ]
            )
        }
    }

    /// Records the size of each log file of job runs `jobIDs` (steps cut off by a crash keep what they
    /// wrote up to it).
    package func refreshLogSizes(jobIDs: [Int64]) throws(StoreError) {
        try write("record log sizes") { db in
            for jobID in jobIDs {
                let positions = try Int.fetchAll(
                    db, sql: "SELECT position FROM step WHERE jobId = ?", arguments: [jobID])
                for position in positions {
                    let path = logPath(jobID: jobID, step: position)
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

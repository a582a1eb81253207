// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation
import GRDB

extension PipelineStore {
    /// Sets pipeline `id`'s status, and its start or end time when given.
    package func setPipeline(
        _ id: Int64, status: PipelineStatus, startedAt: Date? = nil, finishedAt: Date? = nil,
        errorMessage: String? = nil
    ) throws(StoreError) {
        try write("update pipeline \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE pipeline SET status = ?, startedAt = COALESCE(startedAt, ?),
                    finishedAt = COALESCE(?, finishedAt), errorMessage = COALESCE(?, errorMessage) WHERE id = ?
                    """,
                arguments: [status.rawValue, startedAt, finishedAt, errorMessage, id]
            )
        }
    }

    /// Sets workflow `id`'s status, and its start or end time when given.
    package func setWorkflow(_ id: Int64, status: WorkflowStatus, startedAt: Date? = nil, finishedAt: Date? = nil)
        throws(StoreError)
    {
        try write("update workflow \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE workflow SET status = ?, startedAt = COALESCE(startedAt, ?),
                    finishedAt = COALESCE(?, finishedAt) WHERE id = ?
                    """,
                arguments: [status.rawValue, startedAt, finishedAt, id]
            )
        }
    }

    /// Sets job run `id`'s status (and start time when given); used for queued, blocked, running, on hold, not run.
    package func setJob(_ id: Int64, status: JobStatus, startedAt: Date? = nil) throws(StoreError) {
        try write("update job \(id)") { db in
            try db.execute(
                sql: "UPDATE job SET status = ?, startedAt = COALESCE(startedAt, ?) WHERE id = ?",
                arguments: [status.rawValue, startedAt, id]
            )
        }
    }

    /// Records how job run `id` ended, what it used, and the resource class it ran as.
    package func finishJob(
        _ id: Int64, status: JobStatus, exitCode: Int?, failureReason: FailureReason?, failureMessage: String?,
        startedAt: Date?, finishedAt: Date, resources: JobResources = JobResources(), resourceClass: String? = nil
    ) throws(StoreError) {
        try write("finish job \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE job SET status = ?, exitCode = ?, failureReason = ?, failureMessage = ?,
                    startedAt = COALESCE(startedAt, ?), finishedAt = ?, isolation = ?, cpuSeconds = ?,
                    peakMemoryBytes = ?, oomKills = ?, memoryLimitBytes = ?, millicoresLimit = ?,
                    resourceClass = COALESCE(?, resourceClass) WHERE id = ?
                    """,
                arguments: [
                    status.rawValue, exitCode, failureReason?.rawValue, failureMessage, startedAt, finishedAt,
                    resources.isolation, resources.cpuSeconds, resources.peakMemoryBytes, resources.oomKills,
                    resources.memoryLimitBytes, resources.millicoresLimit, resourceClass, id,
                ]
            )
        }
    }

    /// Marks step `index` of job run `jobID` running.
    package func startStep(jobID: Int64, index: Int, at date: Date) throws(StoreError) {
        try write("start step \(index) of job \(jobID)") { db in
            try db.execute(
                sql: "UPDATE step SET status = ?, startedAt = ? WHERE jobId = ? AND position = ?",
                arguments: [StepStatus.running.rawValue, date, jobID, index]
            )
        }
    }

    /// Records how step `index` of job run `jobID` ended.
    package func finishStep(
        jobID: Int64, index: Int, status: StepStatus, exitCode: Int?, logBytes: Int64, finishedAt: Date?
    ) throws(StoreError) {
        try write("finish step \(index) of job \(jobID)") { db in
            try db.execute(
                sql:
                    "UPDATE step SET status = ?, exitCode = ?, logBytes = ?, finishedAt = ? WHERE jobId = ? AND position = ?",
                arguments: [status.rawValue, exitCode, logBytes, finishedAt, jobID, index]
            )
        }
    }

    /// Puts pipeline `id` back to `running` with no end time (a setup pipeline going on with its continuation).
    package func reopenPipeline(_ id: Int64) throws(StoreError) {
        try write("reopen pipeline \(id)") { db in
            try db.execute(
                sql: "UPDATE pipeline SET status = ?, finishedAt = NULL WHERE id = ?",
                arguments: [PipelineStatus.running.rawValue, id]
            )
        }
    }
}

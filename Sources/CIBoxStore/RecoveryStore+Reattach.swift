// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import Foundation
import GRDB

/// A job run that was running when its pipeline's process went away.
package struct RunningJobReference: Sendable, Equatable {
    /// The job run's id.
    package var jobID: Int64
    /// What the system running it calls it (`slurm:1234`); nil for job runs of this machine.
    package var reference: String?

    /// Makes a value.
    package init(jobID: Int64, reference: String?) {
        self.jobID = jobID
        self.reference = reference
    }
}

extension RecoveryStore {
    /// Records what the system running job run `id` calls it (`slurm:1234`).
    package func setExecutorReference(jobID id: Int64, reference: String) throws(StoreError) {
        try database.write("record the executor reference of job \(id)") { db in
            try db.execute(sql: "UPDATE job SET executorRef = ? WHERE id = ?", arguments: [reference, id])
        }
    }

    /// The job runs of pipeline `id` that are `running`, with their executor references.
    package func runningJobs(pipelineID id: Int64) throws(StoreError) -> [RunningJobReference] {
        try database.read("read the running jobs of pipeline \(id)") { db in
            try Row.fetchAll(
                db, sql: "SELECT id, executorRef FROM job WHERE pipelineId = ? AND status = ? ORDER BY id",
                arguments: [id, JobStatus.running.rawValue]
            ).map { RunningJobReference(jobID: $0["id"], reference: $0["executorRef"]) }
        }
    }

    /// Gets pipeline `id`, whose process went away, ready to be run on by a new one: its running job runs in
    /// `reattaching` (still alive on a cluster, by job run id → executor reference) go back to `queued` with their
    /// start time kept and that reference recorded, so that the new process attaches to them; its other running job runs become `interrupted`
    /// (`failure_reason: interrupted`, logs kept) as ``markInterrupted(pipelineID:at:)`` would. Queued and blocked
    /// job runs stay as they are, and so do the pipeline's and its workflows' statuses.
    /// - Returns: the job runs marked interrupted.
    @discardableResult
    package func prepareReattach(pipelineID id: Int64, reattaching: [Int64: String], at date: Date = Date())
        throws(StoreError) -> [Int64]
    {
        try database.write("prepare pipeline \(id) to be attached again") { db in
            let running = try Int64.fetchAll(
                db, sql: "SELECT id FROM job WHERE pipelineId = ? AND status = ?",
                arguments: [id, JobStatus.running.rawValue])
            var interrupted: [Int64] = []
            for jobID in running {
                if let reference = reattaching[jobID] {
                    try db.execute(
                        sql: "UPDATE job SET status = ?, executorRef = ? WHERE id = ?",
                        arguments: [JobStatus.queued.rawValue, reference, jobID])
                    continue
                }
                interrupted.append(jobID)
                try db.execute(
                    sql:
                        "UPDATE job SET status = ?, failureReason = ?, failureMessage = ?, finishedAt = ? WHERE id = ?",
                    arguments: [
                        JobStatus.interrupted.rawValue, FailureReason.interrupted.rawValue,
                        "cibox stopped while this job ran (crash or kill); its log is kept up to that moment.",
                        date.stored,
                        jobID,
                    ]
                )
                try db.execute(
                    sql: "UPDATE step SET status = ? WHERE jobId = ? AND status = ?",
                    arguments: [StepStatus.interrupted.rawValue, jobID, StepStatus.running.rawValue]
                )
                try UnstartedSteps.settle(jobID: jobID, status: .interrupted, db: db)
            }
            return interrupted
        }
    }
}

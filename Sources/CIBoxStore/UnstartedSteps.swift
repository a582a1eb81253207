// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import GRDB

/// Steps that never started because their job ended first (canceled, failed, timed out, interrupted, or never
/// run because a job it required failed) are `not_run`, not `queued`: nothing will ever start them.
enum UnstartedSteps {
    /// The final job statuses, as stored.
    private static let finalJobStatuses = JobStatus.allCases.filter(\.isFinal).map(\.rawValue)

    /// Marks the `queued` steps of every ended job run of pipeline `pipelineID` `not_run`.
    static func settle(pipelineID: Int64, db: Database) throws {
        let marks = finalJobStatuses.map { _ in "?" }.joined(separator: ", ")
        try db.execute(
            sql: """
                UPDATE step SET status = ? WHERE status = ?
                AND jobId IN (SELECT id FROM job WHERE pipelineId = ? AND status IN (\(marks)))
                """,
            arguments: [StepStatus.notRun.rawValue, StepStatus.queued.rawValue, pipelineID]
                + StatementArguments(finalJobStatuses)
        )
    }

    /// Marks the `queued` steps of job run `jobID` `not_run` if it has ended.
    static func settle(jobID: Int64, status: JobStatus, db: Database) throws {
        guard status.isFinal else { return }
        try db.execute(
            sql: "UPDATE step SET status = ? WHERE jobId = ? AND status = ?",
            arguments: [StepStatus.notRun.rawValue, jobID, StepStatus.queued.rawValue]
        )
    }
}

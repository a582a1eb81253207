// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import Foundation
import GRDB

/// A finished pipeline that retention may delete, with the ids its files are stored under.
package struct ExpiredPipeline: Sendable, Equatable {
    /// The pipeline's id.
    package var id: Int64
    /// Its project's name.
    package var projectName: String
    /// Its number within the project.
    package var number: Int
    /// When it was created.
    package var createdAt: Date
    /// Its job runs' ids (logs and artifacts are stored by job).
    package var jobIDs: [Int64]
    /// Its workflows' ids (workspaces are stored by workflow).
    package var workflowIDs: [Int64]
}

/// Retention (`cibox gc`, the daemon's schedule): the finished pipelines old enough to delete, and deleting
/// them with everything recorded under them. The files they leave (logs, artifacts, workspaces) are the caller's.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.retention`) that holds only the shared writer.
/// Concurrency: safe from any task; finding is one short read (it never finds a pipeline still queued, running
/// or on hold), deleting one write transaction on the shared writer.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct RetentionStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Finished pipelines created before `cutoff` that are not among the newest `keepLast` of their project.
    ///
    /// A pipeline counts as finished when its status is final and none of its job runs is queued, blocked,
    /// running or on hold; queued, running and on-hold pipelines are never returned.
    package func expiredPipelines(before cutoff: Date, keepLast: Int) throws(StoreError) -> [ExpiredPipeline] {
        try database.read("find expired pipelines") { db in
            let finished = PipelineStatus.allCases.filter(\.isFinal).map(\.rawValue)
            let active = JobStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT ranked.id, ranked.number, ranked.createdAt, project.name AS projectName FROM (
                        SELECT id, projectId, number, createdAt, status,
                            ROW_NUMBER() OVER (PARTITION BY projectId ORDER BY id DESC) AS rank
                        FROM pipeline
                    ) AS ranked JOIN project ON project.id = ranked.projectId
                    WHERE ranked.rank > ? AND ranked.createdAt < ?
                        AND ranked.status IN (\(finished.map { _ in "?" }.joined(separator: ",")))
                        AND NOT EXISTS (SELECT 1 FROM job WHERE job.pipelineId = ranked.id
                            AND job.status IN (\(active.map { _ in "?" }.joined(separator: ","))))
                    ORDER BY ranked.id
                    """,
                arguments: StatementArguments([keepLast, cutoff.stored] as [any DatabaseValueConvertible])
                    + StatementArguments(finished) + StatementArguments(active))
            return try rows.map { row in
                let id: Int64 = row["id"]
                return ExpiredPipeline(
                    id: id, projectName: row["projectName"], number: row["number"], createdAt: row["createdAt"],
                    jobIDs: try Int64.fetchAll(db, sql: "SELECT id FROM job WHERE pipelineId = ?", arguments: [id]),
                    workflowIDs: try Int64.fetchAll(
                        db, sql: "SELECT id FROM workflow WHERE pipelineId = ?", arguments: [id]))
            }
        }
    }

    /// Deletes pipelines `ids` with their workflows, job runs, steps and test cases (files are the caller's).
    /// - Returns: the number of pipelines deleted.
    @discardableResult
    package func deletePipelines(ids: [Int64]) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        return try database.write("delete \(ids.count) pipelines") { db in
            try PipelineRecord.deleteAll(db, keys: ids)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
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

/// A queued or running job run, with what `cibox status` shows beside it.
package struct ActiveJob: Sendable, Equatable {
    /// The job run.
    package var job: Job
    /// Its pipeline's number within the project.
    package var pipelineNumber: Int
    /// Its project's name.
    package var projectName: String
}

extension PipelineStore {
    /// Finished pipelines created before `cutoff` that are not among the newest `keepLast` of their project.
    ///
    /// A pipeline counts as finished when its status is final and none of its job runs is queued, blocked,
    /// running or on hold; queued, running and on-hold pipelines are never returned.
    package func expiredPipelines(before cutoff: Date, keepLast: Int) throws(StoreError) -> [ExpiredPipeline] {
        try read("find expired pipelines") { db in
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
                arguments: StatementArguments([keepLast, cutoff] as [any DatabaseValueConvertible])
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
        return try write("delete \(ids.count) pipelines") { db in
            try PipelineRecord.deleteAll(db, keys: ids)
        }
    }

    /// Queued and running job runs, running first, then by id.
    package func activeJobs() throws(StoreError) -> [ActiveJob] {
        try read("list active jobs") { db in
            let jobs = try JobRecord.filter(
                [JobStatus.running.rawValue, JobStatus.queued.rawValue].contains(
                    Column("status"))
            ).order(Column("id")).fetchAll(db)
            var pipelines: [Int64: (Int, String)] = [:]
            for pipelineID in Set(jobs.map(\.pipelineId)) {
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT pipeline.number, project.name FROM pipeline JOIN project ON project.id = pipeline.projectId
                        WHERE pipeline.id = ?
                        """, arguments: [pipelineID])
                if let row { pipelines[pipelineID] = (row[0], row[1]) }
            }
            let active = jobs.map { record in
                ActiveJob(
                    job: record.model, pipelineNumber: pipelines[record.pipelineId]?.0 ?? 0,
                    projectName: pipelines[record.pipelineId]?.1 ?? "?")
            }
            return active.filter { $0.job.status == .running } + active.filter { $0.job.status != .running }
        }
    }
}

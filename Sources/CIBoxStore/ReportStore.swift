// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// The queries of the HTML report (CIBoxReport): aggregates done by SQLite and light rows without the stored
/// plan, so that rewriting the pages of one pipeline stays fast with a long history; and
/// (`ReportStore+TestInsights.swift`) each project's slowest, most failing and flaky tests.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.report`) that holds only the shared writer.
/// Concurrency: safe from any task; each method is one short read transaction (beside the writer when the
/// store was opened with `concurrentReads`).
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct ReportStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Every column of `pipeline` but the plan (an empty blob stands in for it).
    private static let pipelineColumns = """
        pipeline.id, pipeline.projectId, pipeline.number, pipeline.uuid, pipeline.revision, pipeline.treeID,
        pipeline.branch, pipeline.tag, pipeline."trigger", pipeline.source, pipeline.status, pipeline.configHash,
        X'' AS plan, pipeline.errorMessage, pipeline.createdAt, pipeline.startedAt, pipeline.finishedAt
        """

    /// Every project with its pipeline count and the newest pipeline of each branch, by project name.
    /// - Throws: ``StoreError`` `database`.
    package func projectOverviews() throws(StoreError) -> [ProjectOverview] {
        try database.read("read the projects' overview") { db in
            let projects = try ProjectRecord.order(Column("name")).fetchAll(db)
            var totals: [Int64: (Int, Int)] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT projectId, COUNT(*), MAX(number) FROM pipeline GROUP BY projectId")
            {
                totals[row[0]] = (row[1], row[2])
            }
            let heads = try PipelineRecord.fetchAll(
                db,
                sql: """
                    SELECT \(Self.pipelineColumns) FROM pipeline WHERE pipeline.id IN (
                        SELECT MAX(id) FROM pipeline WHERE branch IS NOT NULL GROUP BY projectId, branch)
                    ORDER BY pipeline.branch
                    """)
            let names = Dictionary(uniqueKeysWithValues: projects.map { ($0.id ?? 0, $0.name) })
            let byProject = Dictionary(grouping: heads, by: \.projectId)
            return projects.map { record in
                let id = record.id ?? 0
                let branches = (byProject[id] ?? []).map {
                    BranchHead(branch: $0.branch ?? "", pipeline: $0.model(projectName: names[id] ?? "?"))
                }
                return ProjectOverview(
                    project: record.model, pipelineCount: totals[id]?.0 ?? 0, lastNumber: totals[id]?.1 ?? 0,
                    branches: branches)
            }
        }
    }

    /// The newest `limit` pipelines of project `projectID` (without their plans), newest first.
    /// - Throws: ``StoreError`` `database`.
    package func recentPipelines(projectID: Int64, limit: Int) throws(StoreError) -> [Pipeline] {
        try database.read("list the pipelines of project \(projectID)") { db in
            let name = try String.fetchOne(db, sql: "SELECT name FROM project WHERE id = ?", arguments: [projectID])
            return try PipelineRecord.fetchAll(
                db,
                sql: "SELECT \(Self.pipelineColumns) FROM pipeline WHERE projectId = ? ORDER BY number DESC LIMIT ?",
                arguments: [projectID, limit]
            ).map { $0.model(projectName: name ?? "?") }
        }
    }

    /// The pipelines of project `projectID` numbered within `numbers` (without their plans), newest first.
    /// - Throws: ``StoreError`` `database`.
    package func pipelines(projectID: Int64, numbers: ClosedRange<Int>) throws(StoreError) -> [Pipeline] {
        try database.read("list the pipelines of project \(projectID)") { db in
            let name = try String.fetchOne(db, sql: "SELECT name FROM project WHERE id = ?", arguments: [projectID])
            return try PipelineRecord.fetchAll(
                db,
                sql: """
                    SELECT \(Self.pipelineColumns) FROM pipeline WHERE projectId = ? AND number BETWEEN ? AND ?
                    ORDER BY number DESC
                    """,
                arguments: [projectID, numbers.lowerBound, numbers.upperBound]
            ).map { $0.model(projectName: name ?? "?") }
        }
    }

    /// The workflows of each of `pipelineIDs`, in position order.
    /// - Throws: ``StoreError`` `database`.
    package func workflows(pipelineIDs: [Int64]) throws(StoreError) -> [Int64: [Workflow]] {
        guard !pipelineIDs.isEmpty else { return [:] }
        return try database.read("list workflows") { db in
            let records = try WorkflowRecord.filter(pipelineIDs.contains(Column("pipelineId")))
                .order(Column("pipelineId"), Column("position")).fetchAll(db)
            return Dictionary(grouping: records.map(\.model), by: \.pipelineID)
        }
    }

    /// Every pipeline's id with its project's id, oldest first (a whole report rebuild).
    /// - Throws: ``StoreError`` `database`.
    package func pipelineIDs() throws(StoreError) -> [(id: Int64, projectID: Int64)] {
        try database.read("list pipeline ids") { db in
            try Row.fetchAll(db, sql: "SELECT id, projectId FROM pipeline ORDER BY id").map { ($0[0], $0[1]) }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

// The queries of the HTML report (CIBoxReport): aggregates done by SQLite, light rows without the stored plan,
// so that rewriting the pages of one pipeline stays fast with a long history.

extension PipelineStore {
    /// Every column of `pipeline` but the plan (an empty blob stands in for it).
    private static let pipelineColumns = """
        pipeline.id, pipeline.projectId, pipeline.number, pipeline.uuid, pipeline.revision, pipeline.treeID,
        pipeline.branch, pipeline.tag, pipeline."trigger", pipeline.source, pipeline.status, pipeline.configHash,
        X'' AS plan, pipeline.errorMessage, pipeline.createdAt, pipeline.startedAt, pipeline.finishedAt
        """

    /// Every project with its pipeline count and the newest pipeline of each branch, by project name.
    /// - Throws: ``StoreError`` `database`.
    package func projectOverviews() throws(StoreError) -> [ProjectOverview] {
        try read("read the projects' overview") { db in
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
        try read("list the pipelines of project \(projectID)") { db in
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
        try read("list the pipelines of project \(projectID)") { db in
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
        return try read("list workflows") { db in
            let records = try WorkflowRecord.filter(pipelineIDs.contains(Column("pipelineId")))
                .order(Column("pipelineId"), Column("position")).fetchAll(db)
            return Dictionary(grouping: records.map(\.model), by: \.pipelineID)
        }
    }

    /// Every pipeline's id with its project's id, oldest first (a whole report rebuild).
    /// - Throws: ``StoreError`` `database`.
    package func pipelineIDs() throws(StoreError) -> [(id: Int64, projectID: Int64)] {
        try read("list pipeline ids") { db in
            try Row.fetchAll(db, sql: "SELECT id, projectId FROM pipeline ORDER BY id").map { ($0[0], $0[1]) }
        }
    }

    /// The test insights of project `projectID` over its newest `window` pipelines.
    /// - Parameter limit: at most this many tests per list.
    /// - Throws: ``StoreError`` `database`.
    package func testInsights(projectID: Int64, window: Int = 100, limit: Int = 20) throws(StoreError) -> TestInsights {
        try read("read the test insights of project \(projectID)") { db in
            let scope = "job.pipelineId IN (SELECT id FROM pipeline WHERE projectId = ? ORDER BY number DESC LIMIT ?)"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT testCase.className, testCase.name, COUNT(*),
                        SUM(testCase.result IN ('failure', 'error')), AVG(testCase.duration), MAX(testCase.duration),
                        MAX(CASE WHEN testCase.result IN ('failure', 'error') THEN testCase.id END)
                    FROM testCase JOIN job ON job.id = testCase.jobId
                    WHERE \(scope) AND testCase.result != 'skipped'
                    GROUP BY testCase.className, testCase.name
                    """,
                arguments: [projectID, window])
            var statistics: [TestStatistic] = []
            var lastFailure: [Int: Int64] = [:]
            for row in rows {
                if let id: Int64 = row[6] { lastFailure[statistics.count] = id }
                statistics.append(
                    TestStatistic(
                        className: row[0], name: row[1], runs: row[2], failures: row[3], averageSeconds: row[4],
                        maximumSeconds: row[5]))
            }
            let byName: (TestStatistic, TestStatistic) -> Bool = {
                ($0.className, $0.name) < ($1.className, $1.name)
            }
            let slowest = statistics.sorted {
                $0.averageSeconds != $1.averageSeconds ? $0.averageSeconds > $1.averageSeconds : byName($0, $1)
            }.prefix(limit)
            var mostFailing: [TestStatistic] = []
            for index in statistics.indices where statistics[index].failures > 0 {
                var statistic = statistics[index]
                if let id = lastFailure[index] {
                    statistic.lastMessage = try String.fetchOne(
                        db, sql: "SELECT message FROM testCase WHERE id = ?", arguments: [id])
                }
                mostFailing.append(statistic)
            }
            mostFailing.sort { $0.failures != $1.failures ? $0.failures > $1.failures : byName($0, $1) }
            return TestInsights(
                pipelineWindow: window, slowest: Array(slowest), mostFailing: Array(mostFailing.prefix(limit)),
                flaky: Array(try flakyTests(db, scope: scope, projectID: projectID, window: window).prefix(limit)))
        }
    }

    /// Tests that both passed and failed on one commit, within `scope`.
    private func flakyTests(_ db: Database, scope: String, projectID: Int64, window: Int) throws -> [FlakyTest] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT testCase.className, testCase.name, pipeline.revision,
                    SUM(testCase.result = 'success') AS passes,
                    SUM(testCase.result IN ('failure', 'error')) AS failures, MAX(pipeline.id)
                FROM testCase JOIN job ON job.id = testCase.jobId JOIN pipeline ON pipeline.id = job.pipelineId
                WHERE \(scope)
                GROUP BY testCase.className, testCase.name, pipeline.revision
                HAVING passes > 0 AND failures > 0
                ORDER BY MAX(pipeline.id) DESC
                """,
            arguments: [projectID, window])
        var flaky: [FlakyTest] = []
        var index: [String: Int] = [:]
        for row in rows {
            let className: String = row[0]
            let name: String = row[1]
            let key = className + "\u{0}" + name
            if let existing = index[key] {
                flaky[existing].commits += 1
            } else {
                index[key] = flaky.count
                flaky.append(
                    FlakyTest(
                        className: className, name: name, commits: 1, revision: row[2], passes: row[3],
                        failures: row[4]))
            }
        }
        return flaky.sorted {
            $0.commits != $1.commits ? $0.commits > $1.commits : ($0.className, $0.name) < ($1.className, $1.name)
        }
    }
}

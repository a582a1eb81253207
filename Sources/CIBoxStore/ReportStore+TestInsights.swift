// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import GRDB

extension ReportStore {
    /// The test insights of project `projectID` over its newest `window` pipelines.
    /// - Parameter limit: at most this many tests per list.
    /// - Throws: ``StoreError`` `database`.
    package func testInsights(projectID: Int64, window: Int = 100, limit: Int = 20) throws(StoreError) -> TestInsights {
        try database.read("read the test insights of project \(projectID)") { db in
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

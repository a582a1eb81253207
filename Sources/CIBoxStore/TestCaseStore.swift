// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// Test cases a job run read from its results (`store_test_results`), their counts per job run, and the timings
/// that `circleci tests split --split-by=timings` divides tests by.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.testCases`) that holds only the shared writer; from
/// inside a job, of one opened read-only (``PipelineStore/init(readingHome:)``).
/// Concurrency: safe from any task; a job run's cases are written in one transaction on the shared writer, and
/// each query is one short read.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct TestCaseStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Stores the test cases job run `jobID` read (`store_test_results`), in one transaction, in place of any it
    /// stored before (so that recording again, after a failed write, never counts a test twice).
    /// - Throws: ``StoreError`` `database`.
    package func recordTestCases(_ cases: [TestCase], jobID: Int64) throws(StoreError) {
        guard !cases.isEmpty else { return }
        try database.write("store \(cases.count) test cases of job \(jobID)") { db in
            try db.execute(sql: "DELETE FROM testCase WHERE jobId = ?", arguments: [jobID])
            for testCase in cases {
                var record = TestCaseRecord(jobID: jobID, testCase)
                try record.insert(db)
            }
        }
    }

    /// The test counts of each of `jobIDs` that stored test cases.
    /// - Throws: ``StoreError`` `database`.
    package func testCounts(jobIDs: [Int64]) throws(StoreError) -> [Int64: TestCounts] {
        try database.read("count test cases") { db in try Self.testCounts(jobIDs: jobIDs, db) }
    }

    /// Job run `jobID`'s test cases: failures and errors first, then skipped, then passed, each in stored order.
    /// - Throws: ``StoreError`` `database`.
    package func testCases(jobID: Int64) throws(StoreError) -> [TestCase] {
        try database.read("read the test cases of job \(jobID)") { db in
            let rank = SQL("CASE result WHEN 'failure' THEN 0 WHEN 'error' THEN 0 WHEN 'skipped' THEN 1 ELSE 2 END")
            return try TestCaseRecord.filter(Column("jobId") == jobID)
                .order(rank.sqlExpression, Column("id")).fetchAll(db).map(\.model)
        }
    }

    /// The most recent durations of the tests of job `jobName` in project `projectID`, for splitting by timings.
    ///
    /// Per file: the sum of its cases in the newest job run that ran it. Per test (`name` and `classname.name`):
    /// its newest duration; per class: the sum of its tests' newest durations.
    /// - Parameters:
    ///   - projectID: the project.
    ///   - jobName: the job's name in its workflow.
    ///   - excludedPipelineID: a pipeline to leave out (the running one, whose parallel runs must all see the
    ///     same timings even when some of them have already finished).
    /// - Throws: ``StoreError`` `database`.
    package func testTimings(projectID: Int64, jobName: String, excludingPipeline excludedPipelineID: Int64? = nil)
        throws(StoreError) -> TestTimings
    {
        try database.read("read the test timings of job '\(jobName)'") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT testCase.jobId, testCase.className, testCase.name, testCase.file, testCase.duration
                    FROM testCase JOIN job ON job.id = testCase.jobId JOIN pipeline ON pipeline.id = job.pipelineId
                    WHERE pipeline.projectId = ? AND job.name = ? AND pipeline.id IS NOT ?
                    ORDER BY testCase.jobId, testCase.id
                    """,
                arguments: [projectID, jobName, excludedPipelineID]
            )
            var newestFileRun: [String: Int64] = [:]
            var fileSeconds: [String: [Int64: Double]] = [:]
            var testSeconds: [String: (className: String, seconds: Double)] = [:]
            for row in rows {
                let jobID: Int64 = row[0]
                let className: String = row[1]
                let name: String = row[2]
                let duration: Double = row[4]
                if let file: String = row[3], !file.isEmpty {
                    newestFileRun[file] = max(newestFileRun[file] ?? jobID, jobID)
                    fileSeconds[file, default: [:]][jobID, default: 0] += duration
                }
                // Rows come oldest first, so the last write is the newest duration.
                testSeconds[className.isEmpty ? name : className + "." + name] = (className, duration)
            }
            var timings = TestTimings()
            for (file, run) in newestFileRun { timings.byFile[file] = fileSeconds[file]?[run] ?? 0 }
            for (key, entry) in testSeconds {
                timings.byTest[key] = entry.seconds
                if !entry.className.isEmpty { timings.byClass[entry.className, default: 0] += entry.seconds }
            }
            for row in rows {
                let name: String = row[2]
                if timings.byTest[name] == nil { timings.byTest[name] = row[4] }
            }
            return timings
        }
    }

    /// The test counts of each of `jobIDs` that stored test cases, inside a transaction of another store.
    static func testCounts(jobIDs: [Int64], _ db: Database) throws -> [Int64: TestCounts] {
        guard !jobIDs.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT jobId, COUNT(*), SUM(result IN ('failure', 'error')), SUM(result = 'skipped')
                FROM testCase WHERE jobId IN (\(jobIDs.map { _ in "?" }.joined(separator: ","))) GROUP BY jobId
                """,
            arguments: StatementArguments(jobIDs)
        )
        var counts: [Int64: TestCounts] = [:]
        for row in rows { counts[row[0]] = TestCounts(total: row[1], failed: row[2], skipped: row[3]) }
        return counts
    }
}

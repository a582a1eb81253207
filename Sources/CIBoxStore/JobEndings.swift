// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation
import GRDB

/// A job run that has ended (its status is final), for counting: `/metrics`.
package struct EndedJob: Sendable, Equatable {
    /// The job run's id.
    package var id: Int64
    /// Its project's name.
    package var project: String
    /// How it ended.
    package var status: JobStatus
    /// When it started; nil when it never ran (not run, canceled while queued).
    package var startedAt: Date?
    /// When it ended.
    package var finishedAt: Date

    /// Makes a value.
    package init(id: Int64, project: String, status: JobStatus, startedAt: Date?, finishedAt: Date) {
        self.id = id
        self.project = project
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// How long it ran, in seconds; nil when it never started.
    package var duration: Double? {
        startedAt.map { max(0, finishedAt.timeIntervalSince($0)) }
    }
}

extension HistoryStore {
    /// The job runs of every process sharing this home (the daemon, `cibox run`) whose status is final and that
    /// ended at `since` or later, by id.
    /// - Throws: ``StoreError`` `database`.
    package func jobsEnded(since: Date) throws(StoreError) -> [EndedJob] {
        let final = JobStatus.allCases.filter(\.isFinal).map(\.rawValue)
        return try database.read("list the job runs ended since \(since)") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT job.id, project.name, job.status, job.startedAt, job.finishedAt FROM job
                    JOIN pipeline ON pipeline.id = job.pipelineId JOIN project ON project.id = pipeline.projectId
                    WHERE job.finishedAt >= ? AND job.status IN (\(final.map { _ in "?" }.joined(separator: ", ")))
                    ORDER BY job.id
                    """,
                arguments: StatementArguments([since.stored as any DatabaseValueConvertible] + final)
            ).compactMap { row in
                guard let status = JobStatus(rawValue: row[2]), let finishedAt: Date = row[4] else { return nil }
                return EndedJob(id: row[0], project: row[1], status: status, startedAt: row[3], finishedAt: finishedAt)
            }
        }
    }
}

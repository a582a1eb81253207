// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

extension PipelineStore {
    /// Approves the held approval job `name` of pipeline `pipelineID` (it becomes `success`).
    /// - Returns: the approved job run's id.
    /// - Throws: ``StoreError`` `notFound` naming the jobs that wait for approval, if any.
    package func approve(pipelineID: Int64, jobName name: String) throws(StoreError) -> Int64 {
        try write("approve '\(name)' in pipeline \(pipelineID)") { db in
            let held = try JobRecord.filter(
                Column("pipelineId") == pipelineID && Column("status") == JobStatus.onHold.rawValue
            )
            .fetchAll(db)
            guard let job = held.first(where: { $0.name == name }), let id = job.id else {
                let names = held.map { "'\($0.name)'" }.joined(separator: ", ")
                throw StoreError(
                    .notFound,
                    "Pipeline \(pipelineID) has no job '\(name)' waiting for approval"
                        + (names.isEmpty ? "." : "; waiting: \(names).")
                )
            }
            let now = Date()
            try db.execute(
                sql: "UPDATE job SET status = ?, startedAt = COALESCE(startedAt, ?), finishedAt = ? WHERE id = ?",
                arguments: [JobStatus.success.rawValue, now, now, id]
            )
            return id
        }
    }

    /// Marks job run `id` as passed without running (a rerun of failed jobs keeps what passed): `success`,
    /// its steps `not_run`, and `note` as its message.
    package func markReused(jobID id: Int64, note: String) throws(StoreError) {
        try write("reuse job \(id)") { db in
            let now = Date()
            try db.execute(
                sql: "UPDATE job SET status = ?, failureMessage = ?, startedAt = ?, finishedAt = ? WHERE id = ?",
                arguments: [JobStatus.success.rawValue, note, now, now, id]
            )
            try db.execute(
                sql: "UPDATE step SET status = ? WHERE jobId = ?", arguments: [StepStatus.notRun.rawValue, id]
            )
        }
    }

    /// Sets job run `id`'s attempt number.
    package func setAttempt(jobID id: Int64, attempt: Int) throws(StoreError) {
        try write("number the attempt of job \(id)") { db in
            try db.execute(sql: "UPDATE job SET attempt = ? WHERE id = ?", arguments: [attempt, id])
        }
    }

    /// The project with id `id`, if any.
    package func project(id: Int64) throws(StoreError) -> Project? {
        try read("read project \(id)") { db in try ProjectRecord.fetchOne(db, key: id)?.model }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation
import GRDB

extension PipelineRecorder {
    /// Sets pipeline `id`'s status, and its start or end time when given.
    package func setPipeline(
        _ id: Int64, status: PipelineStatus, startedAt: Date? = nil, finishedAt: Date? = nil,
        errorMessage: String? = nil
    ) throws(StoreError) {
        try database.write("update pipeline \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE pipeline SET status = ?, startedAt = COALESCE(startedAt, ?),
                    finishedAt = COALESCE(?, finishedAt), errorMessage = COALESCE(?, errorMessage) WHERE id = ?
                    """,
                arguments: [status.rawValue, startedAt?.stored, finishedAt?.stored, errorMessage, id]
            )
        }
    }

    /// Sets workflow `id`'s status, and its start or end time when given.
    package func setWorkflow(_ id: Int64, status: WorkflowStatus, startedAt: Date? = nil, finishedAt: Date? = nil)
        throws(StoreError)
    {
        try database.write("update workflow \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE workflow SET status = ?, startedAt = COALESCE(startedAt, ?),
                    finishedAt = COALESCE(?, finishedAt) WHERE id = ?
                    """,
                arguments: [status.rawValue, startedAt?.stored, finishedAt?.stored, id]
            )
        }
    }

    /// Puts pipeline `id` back to `running` with no end time (a setup pipeline going on with its continuation).
    package func reopenPipeline(_ id: Int64) throws(StoreError) {
        try database.write("reopen pipeline \(id)") { db in
            try db.execute(
                sql: "UPDATE pipeline SET status = ?, finishedAt = NULL WHERE id = ?",
                arguments: [PipelineStatus.running.rawValue, id]
            )
        }
    }
}

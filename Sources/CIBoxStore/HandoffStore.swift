// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation
import GRDB

/// Pipelines handed to the daemon (`pipelineHandoff`): `cibox trigger` records a pipeline, offers it here and
/// follows it; the daemon takes what is offered, becomes its owner and runs it.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.handoffs`) that holds only the shared writer.
/// Concurrency: taking and withdrawing are immediate transactions, so a pipeline is taken by the daemon or taken
/// back by its trigger, never both.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct HandoffStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Offers recorded pipeline `id` to the daemon.
    /// - Throws: ``StoreError`` `database`.
    package func offer(pipelineID id: Int64) throws(StoreError) {
        try database.write("hand pipeline \(id) to the daemon") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO pipelineHandoff (pipelineId, createdAt) VALUES (?, ?)",
                arguments: [id, Date().stored])
        }
    }

    /// Takes every pipeline offered that is still queued (oldest first), recording `owner` as the process that
    /// runs each; offers of pipelines that ended meanwhile are dropped. Only a read when nothing is offered.
    /// - Throws: ``StoreError`` `database`.
    package func take(owner: ProcessIdentity) throws(StoreError) -> [Int64] {
        let offered = try database.read("look for pipelines handed to the daemon") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pipelineHandoff)") ?? false
        }
        guard offered else { return [] }
        return try database.write("take the pipelines handed to the daemon") { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT pipelineId FROM pipelineHandoff JOIN pipeline ON pipeline.id = pipelineId
                    WHERE pipeline.status = ? ORDER BY pipelineId
                    """,
                arguments: [PipelineStatus.queued.rawValue])
            try db.execute(sql: "DELETE FROM pipelineHandoff")
            for id in ids {
                try db.execute(
                    sql: "UPDATE pipeline SET ownerPid = ?, ownerStartTime = ? WHERE id = ?",
                    arguments: [owner.pid, owner.startTime, id])
            }
            return ids
        }
    }

    /// Takes back the offer of pipeline `id`.
    /// - Returns: whether it was still offered (the daemon did not take it).
    /// - Throws: ``StoreError`` `database`.
    package func withdraw(pipelineID id: Int64) throws(StoreError) -> Bool {
        try database.write("take pipeline \(id) back from the daemon") { db in
            try db.execute(sql: "DELETE FROM pipelineHandoff WHERE pipelineId = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}

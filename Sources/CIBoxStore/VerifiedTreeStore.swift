// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// The pre-push gate's memory: the newest pipeline that passed on a tree with a config hash, and the config hash
/// each compile's inputs gave (`compileMemo`), so that a push of a tree that already passed is verified without
/// running it again. ``VerifiedTreeLookup`` asks the same question without opening the store.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.verifiedTrees`) that holds only the shared writer.
/// Concurrency: safe from any task; a lookup is one short read, remembering a compile one write transaction.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`).
package struct VerifiedTreeStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// The newest pipeline of `projectID` that passed on the commit source with tree `treeID` and config hash
    /// `configHash`, or nil: what verifies a push of the same tree without running it again.
    package func passedPipeline(projectID: Int64, treeID: String, configHash: String) throws(StoreError) -> Pipeline? {
        try database.read("look for a pipeline that passed on tree \(treeID)") { db in
            let record = try PipelineRecord.filter(
                Column("treeID") == treeID && Column("configHash") == configHash && Column("projectId") == projectID
                    && Column("status") == PipelineStatus.success.rawValue
                    && Column("source") == SourceKind.commit.rawValue
            ).order(Column("id").desc).fetchOne(db)
            guard let record else { return nil }
            return record.model(projectName: try ProjectRecord.namesByID(db)[record.projectId] ?? "?")
        }
    }

    /// Records that the compile inputs `key` gave `configHash` (see ``VerifiedTreeLookup``).
    package func rememberConfigHash(key: String, configHash: String) throws(StoreError) {
        try database.write("remember a compile") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO compileMemo (key, configHash) VALUES (?, ?)",
                arguments: [key, configHash])
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import GRDBSQLite

/// The pre-push gate's quick question, asked with one read-only SQLite query instead of opening the store:
/// did a pipeline of the repository at this path pass on this tree, with the config hash that the compile
/// inputs `compileKey` gave before (the `compileMemo` table)?
///
/// Why not ``PipelineStore``: opening it (GRDB, migrations) and its first record queries cost about 8 ms,
/// half of what the whole hook may take for a tree that already passed. Any problem here (no database yet, an
/// older schema, a busy file) answers nil, and the caller takes the full path through the store.
package enum VerifiedTreeLookup {
    /// The newest passed pipeline for the inputs: its id and number, or nil.
    /// - Parameters:
    ///   - databasePath: `cibox.sqlite` of the state folder.
    ///   - repositoryPath: the project's path (as the store records it).
    ///   - compileKey: the key of the compile inputs.
    ///   - treeID: the commit's tree.
    package static func passedPipeline(
        databasePath: String, repositoryPath: String, compileKey: String, treeID: String
    ) -> (id: Int64, number: Int)? {
        var database: OpaquePointer?
        guard sqlite3_open_v2(databasePath, &database, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK
        else {
            sqlite3_close(database)
            return nil
        }
        defer { sqlite3_close(database) }
        sqlite3_busy_timeout(database, 2000)
        let sql = """
            SELECT pipeline.id, pipeline.number FROM pipeline
            JOIN project ON project.id = pipeline.projectId
            JOIN compileMemo ON compileMemo.configHash = pipeline.configHash
            WHERE project.path = ?1 AND compileMemo.key = ?2 AND pipeline.treeID = ?3
              AND pipeline.status = 'success' AND pipeline.source = 'commit'
            ORDER BY pipeline.id DESC LIMIT 1
            """
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
        defer { sqlite3_finalize(statement) }
        // SQLITE_TRANSIENT: SQLite copies the text before the Swift string's buffer goes away.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (index, value) in [repositoryPath, compileKey, treeID].enumerated() {
            guard sqlite3_bind_text(statement, Int32(index + 1), value, -1, transient) == SQLITE_OK else { return nil }
        }
        guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
        return (sqlite3_column_int64(statement, 0), Int(sqlite3_column_int64(statement, 1)))
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import GRDB

/// What `cibox doctor` finds in a home's database, read without changing it.
package struct StoreHealth: Sendable, Equatable {
    /// Whether the database file exists (a home no pipeline ran in has none yet).
    package var exists: Bool
    /// Why it could not be opened or read, when it could not.
    package var openError: String?
    /// SQLite's `integrity_check` answer: `["ok"]` when sound, else up to 20 of its findings.
    package var integrity: [String]
    /// Migrations this cibox knows that the database has not had (they run at the next open by a writer).
    package var pendingMigrations: [String]
    /// Migrations the database had that this cibox does not know (a newer cibox wrote it).
    package var unknownMigrations: [String]
    /// The database's size in bytes, with its WAL.
    package var bytes: Int64

    /// Looks at the database of `home`: opens it read-only (no migration, no folder made), runs SQLite's integrity
    /// check and compares the migrations it had with this cibox's.
    package static func inspect(home: String) -> StoreHealth {
        let path = PipelineStore.databasePath(home: home)
        var health = StoreHealth(
            exists: FileManager.default.fileExists(atPath: path), openError: nil, integrity: [], pendingMigrations: [],
            unknownMigrations: [], bytes: 0)
        guard health.exists else { return health }
        health.bytes = [path, path + "-wal"].reduce(0) { total, file in
            var info = stat()
            return total + (stat(file, &info) == 0 ? Int64(info.st_size) : 0)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let known = Migrations.migrator.migrations
            try queue.read { db in
                health.integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
                let applied =
                    try db.tableExists("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                health.pendingMigrations = known.filter { !applied.contains($0) }
                health.unknownMigrations = applied.filter { !known.contains($0) }
            }
        } catch {
            health.openError = "\(error)"
        }
        return health
    }
}

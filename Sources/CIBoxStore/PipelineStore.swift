// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CSQLiteOptions
import Foundation
import GRDB

/// cibox's history: one SQLite database (WAL) plus the per-step log files under `$CIBOX_HOME`.
///
/// Lifecycle: open once per process with ``init(home:)``; it creates folders and runs migrations.
/// Concurrency: safe from any task; writes are serialized by GRDB's pool, reads run concurrently, and other
/// processes (a CLI beside the daemon) wait on the busy timeout instead of failing with "database is locked".
/// Errors: every method throws ``StoreError`` with a message naming the database file.
package final class PipelineStore: Sendable {
    /// The state folder (`$CIBOX_HOME`).
    package let home: String
    /// The database file.
    package let databasePath: String
    /// One connection (a queue) for short-lived commands, or a pool whose readers run beside the writer for
    /// long-lived processes; both use WAL, so other processes read and write the same file meanwhile.
    let pool: any DatabaseWriter

    /// Opens (creating if needed) the store in `home`.
    /// - Throws: ``StoreError`` with code `cannotOpen` when the folder or the database cannot be used.
    /// - Parameter concurrentReads: open a pool of reader connections (a daemon, a report writer) instead of
    ///   one connection (a command that runs one pipeline: cheaper to open).
    package init(home: String, concurrentReads: Bool = false) throws(StoreError) {
        self.home = home
        self.databasePath = Self.databasePath(home: home)
        do {
            try FileManager.default.createDirectory(atPath: home + "/logs", withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                .cannotOpen,
                "Cannot create the state folder '\(home)': \(error.localizedDescription). Check --home or CIBOX_HOME.",
                cause: error)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.prepareDatabase { db in
            // WAL + NORMAL: a commit survives a crash of cibox (not a power cut) without an fsync per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            _ = cibox_sqlite_keep_wal_on_close(UnsafeMutableRawPointer(db.sqliteConnection))
        }
        do {
            if concurrentReads {
                pool = try DatabasePool(path: databasePath, configuration: configuration)
            } else {
                configuration.journalMode = .wal
                pool = try DatabaseQueue(path: databasePath, configuration: configuration)
            }
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError(
                .cannotOpen,
                "Cannot open the database '\(databasePath)': \(error). Check that the file is a cibox database and writable.",
                cause: error)
        }
        DiskReserve.make(home: home)
    }

    /// Opens an existing store in `home` for reading only (from inside a job: `circleci tests split`). Makes no
    /// folder and runs no migration, so that it never writes to the database a running cibox owns.
    /// - Throws: ``StoreError`` with code `cannotOpen` when there is no readable database in `home`.
    package init(readingHome home: String) throws(StoreError) {
        self.home = home
        self.databasePath = Self.databasePath(home: home)
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(.cannotOpen, "No cibox database at '\(databasePath)'. Check CIBOX_HOME.")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        do {
            pool = try DatabasePool(path: databasePath, configuration: configuration)
        } catch {
            throw StoreError(
                .cannotOpen, "Cannot open the database '\(databasePath)' for reading: \(error).", cause: error)
        }
    }

    /// The database file of the state folder `home`.
    package static func databasePath(home: String) -> String {
        home + "/cibox.sqlite"
    }

    /// The folder of job run `jobID`'s step logs.
    package func logDirectory(jobID: Int64) -> String {
        "\(home)/logs/\(jobID)"
    }

    /// The log file of step `index` of job run `jobID`.
    package func logPath(jobID: Int64, step index: Int) -> String {
        "\(logDirectory(jobID: jobID))/\(index).log"
    }

    /// Runs a write transaction, turning GRDB errors into ``StoreError``. When the disk is full, part of the
    /// ``DiskReserve`` is given back and the transaction tried again, as long as there is some left.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        while true {
            do {
                return try pool.write(body)
            } catch let error as StoreError {
                throw error
            } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
                if DiskReserve.release(home: home) { continue }
                throw StoreError(
                    .database,
                    "Cannot \(what) in '\(databasePath)': the disk is full (\(Self.describe(error))). "
                        + "Free space on the disk that holds '\(home)' (`cibox gc` removes old pipelines).",
                    cause: error)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
                throw StoreError(
                    .database,
                    "Cannot \(what): the database '\(databasePath)' is read-only (\(Self.describe(error))), "
                        + "so nothing was recorded. Make it writable (its permissions, its immutable flag in "
                        + "`lsattr`, a read-only mount) or use another --home.", cause: error)
            } catch {
                throw StoreError(
                    .database, "Cannot \(what) in '\(databasePath)': \(Self.describe(error))", cause: error)
            }
        }
    }

    /// Runs a read, turning GRDB errors into ``StoreError``.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "Cannot \(what) in '\(databasePath)': \(Self.describe(error))", cause: error)
        }
    }

    /// A database error's text with its SQL but without bound values.
    private static func describe(_ error: any Error) -> String {
        guard let databaseError = error as? DatabaseError else { return String(describing: error) }
        var text = databaseError.message ?? "SQLite error \(databaseError.resultCode.rawValue)"
        if let sql = databaseError.sql { text += " (SQL: \(sql))" }
        return text
    }
}

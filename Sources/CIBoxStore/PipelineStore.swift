// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CSQLiteOptions
import Foundation
import GRDB

/// cibox's history: one SQLite database (WAL) plus the per-step log files under `$CIBOX_HOME`, seen through small
/// stores that each own one concern (``projects``, ``pipelines``, ``jobs``, …) and share the one database writer.
///
/// Lifecycle: open once per process with ``init(home:concurrentReads:)``; it creates folders and runs
/// migrations. The small stores are views of that one open database: making one costs nothing, and a new
/// concern (a table and its statements) is a new small store here, not new methods on an existing one.
/// Concurrency: safe from any task; writes are serialized by GRDB's writer, reads run in short transactions,
/// and other processes (a CLI beside the daemon) wait on the busy timeout instead of failing with "database is
/// locked".
/// Errors: every method throws ``StoreError`` with a message naming the database file and the underlying error
/// as its `cause`.
package final class PipelineStore: Sendable {
    /// The state folder (`$CIBOX_HOME`).
    package var home: String { database.home }
    /// The database file.
    package var databasePath: String { database.path }
    /// The one database writer the small stores share.
    let database: StoreDatabase

    /// Projects and the branches and tags last seen in them.
    package var projects: ProjectStore { ProjectStore(database: database) }
    /// Recording pipelines (with their workflows, job runs and steps), numbering them, and their status.
    package var pipelines: PipelineRecorder { PipelineRecorder(database: database) }
    /// Job runs and steps as they run, approvals and attempts.
    package var jobs: JobStore { JobStore(database: database) }
    /// Cancel requests, and the redundant pipelines a newer push makes worth cancelling.
    package var cancellations: CancellationStore { CancellationStore(database: database) }
    /// Which process runs each pipeline, and what happens to its pipelines when that process is gone.
    package var recovery: RecoveryStore { RecoveryStore(database: database) }
    /// What the command line shows: pipelines, their details, the jobs running now.
    package var history: HistoryStore { HistoryStore(database: database) }
    /// Trees that passed, and the config hash each compile's inputs gave (the pre-push gate).
    package var verifiedTrees: VerifiedTreeStore { VerifiedTreeStore(database: database) }
    /// Test cases read from jobs' results, their counts and timings.
    package var testCases: TestCaseStore { TestCaseStore(database: database) }
    /// The HTML report's light rows and aggregates.
    package var report: ReportStore { ReportStore(database: database) }
    /// What retention may delete, and deleting it.
    package var retention: RetentionStore { RetentionStore(database: database) }
    /// Pipelines handed to the daemon.
    package var handoffs: HandoffStore { HandoffStore(database: database) }
    /// The machine-wide slot ledger every cibox process on this home takes its slots from.
    package var slots: SlotLedger { SlotLedger(database: database) }
    /// The build server's API tokens.
    package var tokens: TokenStore { TokenStore(database: database) }

    /// Opens (creating if needed) the store in `home`.
    /// - Throws: ``StoreError`` with code `cannotOpen` when the folder or the database cannot be used.
    /// - Parameter concurrentReads: open a pool of reader connections (a daemon, a report writer) instead of
    ///   one connection (a command that runs one pipeline: cheaper to open).
    package init(home: String, concurrentReads: Bool = false) throws(StoreError) {
        let databasePath = Self.databasePath(home: home)
        do {
            // Plain mkdir: its error names the folder that could not be made and the system's reason.
            try Folders.make(home + "/logs")
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
        let writer: any DatabaseWriter
        do {
            writer = try Self.openMigrated(
                home: home, path: databasePath, configuration: configuration, concurrentReads: concurrentReads)
        } catch {
            throw StoreError(
                .cannotOpen,
                "Cannot open the database '\(databasePath)': \(error). Check that the file is a cibox database and writable.",
                cause: error)
        }
        database = StoreDatabase(home: home, path: databasePath, writer: writer)
        DiskReserve.make(home: home)
    }

    /// Opens an existing store in `home` for reading only (from inside a job: `circleci tests split`). Makes no
    /// folder and runs no migration, so that it never writes to the database a running cibox owns.
    /// - Throws: ``StoreError`` with code `cannotOpen` when there is no readable database in `home`.
    package init(readingHome home: String) throws(StoreError) {
        let databasePath = Self.databasePath(home: home)
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(.cannotOpen, "No cibox database at '\(databasePath)'. Check CIBOX_HOME.")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        do {
            let writer = try DatabasePool(path: databasePath, configuration: configuration)
            database = StoreDatabase(home: home, path: databasePath, writer: writer)
        } catch {
            throw StoreError(
                .cannotOpen, "Cannot open the database '\(databasePath)' for reading: \(error).", cause: error)
        }
    }

    /// Opens the database at `path` and brings its schema up to date.
    ///
    /// Every process on the home opens the database under one lock (``schemaLockPath(home:)``): shared to open a
    /// database whose schema is up to date (every open but the first of a home or of a new cibox), exclusive to
    /// make the file (WAL) or run migrations. GRDB's migrator reads which migrations ran before it opens each
    /// migration's transaction, so two processes opening a fresh home at once would both create the tables ("table
    /// project already exists"), and SQLite does not wait for a lock while it switches a new file to WAL.
    private static func openMigrated(
        home: String, path: String, configuration: Configuration, concurrentReads: Bool
    ) throws -> any DatabaseWriter {
        func open() throws -> any DatabaseWriter {
            if concurrentReads { return try DatabasePool(path: path, configuration: configuration) }
            var configuration = configuration
            configuration.journalMode = .wal
            return try DatabaseQueue(path: path, configuration: configuration)
        }
        let migrator = Migrations.migrator
        let lock = schemaLockPath(home: home)
        if FileManager.default.fileExists(atPath: path) {
            let current: (any DatabaseWriter)? = try FileLock.withLock(path: lock, exclusive: false) {
                let writer = try open()
                let isCurrent = try writer.read { db in
                    try db.tableExists("grdb_migrations") && migrator.hasCompletedMigrations(db)
                }
                return isCurrent ? writer : nil
            }
            if let current { return current }
        }
        return try FileLock.withLock(path: lock, exclusive: true) {
            let writer = try open()
            try migrator.migrate(writer)
            return writer
        }
    }

    /// The file whose lock the processes of `home` take while one of them makes or migrates the database.
    package static func schemaLockPath(home: String) -> String {
        home + "/.schema.lock"
    }

    /// The database file of the state folder `home`.
    package static func databasePath(home: String) -> String {
        home + "/cibox.sqlite"
    }

    /// The folder of job run `jobID`'s step logs.
    package func logDirectory(jobID: Int64) -> String {
        database.logDirectory(jobID: jobID)
    }

    /// The log file of step `index` of job run `jobID`.
    package func logPath(jobID: Int64, step index: Int) -> String {
        database.logPath(jobID: jobID, step: index)
    }

    /// The log of what happened before job run `jobID`'s first step (its images' pulls): `environment.log` beside
    /// its steps' logs.
    package func environmentLogPath(jobID: Int64) -> String {
        database.logDirectory(jobID: jobID) + "/environment.log"
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The one database every small store shares: its writer, its file and the state folder it lives in.
///
/// Lifecycle: made once by ``PipelineStore`` after it opened the file and ran the migrations; every small store
/// holds a copy (a reference to the same writer, so a store costs nothing to make).
/// Concurrency: the writer serializes writes (one at a time, in a transaction); reads are short transactions of
/// their own. A small store never keeps a `Database` beyond one `write` or `read`.
/// Errors: ``write(_:_:)`` and ``read(_:_:)`` turn every failure into a ``StoreError`` whose message names the
/// database file and whose `cause` keeps the underlying error; a ``StoreError`` thrown inside passes unchanged.
struct StoreDatabase: Sendable {
    /// The state folder (`$CIBOX_HOME`).
    let home: String
    /// The database file.
    let path: String
    /// One connection (a queue) for short-lived commands, or a pool whose readers run beside the writer for
    /// long-lived processes; both use WAL, so other processes read and write the same file meanwhile.
    let writer: any DatabaseWriter

    /// The folder of job run `jobID`'s step logs.
    func logDirectory(jobID: Int64) -> String {
        "\(home)/logs/\(jobID)"
    }

    /// The log file of step `index` of job run `jobID`.
    func logPath(jobID: Int64, step index: Int) -> String {
        "\(logDirectory(jobID: jobID))/\(index).log"
    }

    /// Runs a write transaction, turning GRDB errors into ``StoreError``. When the disk is full, part of the
    /// ``DiskReserve`` is given back and the transaction tried again, as long as there is some left.
    /// - Parameters:
    ///   - what: what the write does, for the error message ("record pipeline #3").
    ///   - body: the transaction's work.
    /// - Returns: what `body` returns.
    /// - Throws: ``StoreError`` `database` (disk full, read-only, any other failure), or what `body` threw.
    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        var busyAttempts = 0
        while true {
            do {
                let result = try writer.write(body)
                DiskReserve.refillIfLow(home: home)
                return result
            } catch let error as StoreError {
                throw error
            } catch let error as DatabaseError where Self.isBusy(error) && busyAttempts < Self.busyRetries {
                busyAttempts += 1
                Self.pause(attempt: busyAttempts)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
                if DiskReserve.release(home: home) { continue }
                throw StoreError(
                    .database,
                    "Cannot \(what) in '\(path)': the disk is full (\(Self.describe(error))). "
                        + "Free space on the disk that holds '\(home)' (`cibox gc` removes old pipelines).",
                    cause: error)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
                throw StoreError(
                    .database,
                    "Cannot \(what): the database '\(path)' is read-only (\(Self.describe(error))), "
                        + "so nothing was recorded. Make it writable (its permissions, its immutable flag in "
                        + "`lsattr`, a read-only mount) or use another --home.", cause: error)
            } catch {
                throw StoreError(.database, "Cannot \(what) in '\(path)': \(Self.describe(error))", cause: error)
            }
        }
    }

    /// Runs a read in a short transaction of its own, turning GRDB errors into ``StoreError``.
    /// - Parameters:
    ///   - what: what the read looks for, for the error message ("list projects").
    ///   - body: the read.
    /// - Returns: what `body` returns.
    /// - Throws: ``StoreError`` `database`, or what `body` threw.
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        var busyAttempts = 0
        while true {
            do {
                return try writer.read(body)
            } catch let error as StoreError {
                throw error
            } catch let error as DatabaseError where Self.isBusy(error) && busyAttempts < Self.busyRetries {
                busyAttempts += 1
                Self.pause(attempt: busyAttempts)
            } catch {
                throw StoreError(.database, "Cannot \(what) in '\(path)': \(Self.describe(error))", cause: error)
            }
        }
    }

    /// How many times a transaction that found the database busy is tried again.
    ///
    /// The busy timeout (60 s) makes SQLite wait for a lock on its own; what it does not wait for comes back as
    /// `SQLITE_BUSY` at once: a snapshot another process's commit made stale (`SQLITE_BUSY_SNAPSHOT`), the WAL
    /// being recovered after a crash (`SQLITE_BUSY_RECOVERY`). Trying the whole transaction again a moment later
    /// succeeds; a database still busy after that is an error with its cause.
    static let busyRetries = 8

    /// Whether `error` says another connection held the database (as opposed to a fault of this transaction).
    private static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// Waits a little longer at each attempt (10 ms, 20 ms, …) before a busy transaction is tried again.
    private static func pause(attempt: Int) {
        usleep(useconds_t(10_000 * attempt))
    }

    /// A database error's text with its SQL but without bound values.
    private static func describe(_ error: any Error) -> String {
        guard let databaseError = error as? DatabaseError else { return String(describing: error) }
        var text = databaseError.message ?? "SQLite error \(databaseError.resultCode.rawValue)"
        if let sql = databaseError.sql { text += " (SQL: \(sql))" }
        return text
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What changes whenever any process commits to a store: the size and modification time (nanoseconds) of the
/// database file and of its write-ahead log. A commit appends to the log; a checkpoint writes the database file and
/// may start the log again from its beginning, with a new time. Reading it is two `stat` calls, so an idle poller
/// (the daemon looking for hand-overs and projects) can skip its query while nothing was written.
package struct StoreChangeStamp: Equatable, Sendable {
    let values: [Int64]
}

extension PipelineStore {
    /// The store's change stamp now.
    package var changeStamp: StoreChangeStamp {
        var values: [Int64] = []
        for file in [databasePath, databasePath + "-wal"] {
            var info = stat()
            if stat(file, &info) == 0 {
                values += [
                    Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec), Int64(info.st_ino),
                ]
            } else {
                values += [-1, -1, -1, -1]
            }
        }
        return StoreChangeStamp(values: values)
    }

    /// Frees what SQLite caches in this process's connections (pages, statements' memory): an idle daemon's share of
    /// a big history. Reading again fills them again.
    package func releaseMemory() {
        if let pool = database.writer as? DatabasePool {
            pool.releaseMemory()
        } else if let queue = database.writer as? DatabaseQueue {
            queue.releaseMemory()
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A lock that every process of the machine sees: `flock(2)` on a small file of its own, shared or exclusive.
///
/// Why a file of its own: the lock must never be taken on a file that SQLite has open, because closing any
/// descriptor of a file drops every POSIX lock the process holds on it (SQLite's own locks included). `flock`
/// locks belong to the open file description, so two descriptors opened separately exclude each other even in one
/// process, and the kernel drops the lock when its holder dies (`kill -9` included): a crash never leaves it held.
package enum FileLock {
    /// Runs `body` while holding the lock of the file at `path` (made, mode 0600, when missing), waiting as long as
    /// another holder keeps it: an exclusive lock waits for every other holder, a shared one only for an exclusive
    /// holder.
    /// - Parameters:
    ///   - path: the lock file.
    ///   - exclusive: take the lock alone (true) or beside other shared holders (false).
    ///   - body: what runs under the lock.
    /// - Returns: what `body` returns.
    /// - Throws: `CocoaError` naming the lock file when it cannot be opened or locked, or what `body` throws.
    package static func withLock<T>(path: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno != EINTR { throw failure(path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError.lastSystemError(path: path)
    }
}

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

    /// Takes the exclusive lock of the file at `path` (made, mode 0600, when missing) without waiting, and keeps
    /// it until the returned holder is dropped or the process ends (however it ends).
    /// - Returns: the holder, or nil when another holder has the lock.
    /// - Throws: `CocoaError` naming the lock file when it cannot be opened or locked.
    package static func hold(path: String) throws -> Holder? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(path) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let error = failure(path)
            close(fd)
            if busy { return nil }
            throw error
        }
        return Holder(fd: fd)
    }

    /// Takes the shared lock of the file at `path` (made, mode 0600, when missing), waiting while another process
    /// holds it exclusively, and keeps it until the returned holder is dropped or the process ends.
    /// - Throws: `CocoaError` naming the lock file when it cannot be opened or locked.
    package static func holdShared(path: String) throws -> Holder {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(path) }
        while flock(fd, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            let error = failure(path)
            close(fd)
            throw error
        }
        return Holder(fd: fd)
    }

    /// Whether some process holds the lock of the file at `path` exclusively (false when there is no such file).
    package static func isHeld(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            if errno != EINTR { return errno == EWOULDBLOCK }
        }
        flock(fd, LOCK_UN)
        return false
    }

    /// A lock held (``hold(path:)``, ``holdShared(path:)``) until this value is dropped.
    package final class Holder: Sendable {
        private let fd: Int32

        fileprivate init(fd: Int32) {
            self.fd = fd
        }

        /// Writes `text` as the whole lock file (what a reader of it learns about the holder, such as its pid).
        package func describe(_ text: String) {
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        }

        deinit {
            close(fd)
        }
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError.lastSystemError(path: path)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Space kept aside on the disk of `$CIBOX_HOME` so that cibox can still record how a pipeline ended when a job
/// filled the disk: a file (`.reserve`, 1 MiB) made when a writer opens the store, and given back half at a
/// time each time SQLite reports the disk full, just before the write is tried again.
///
/// Without it, a job that fills the disk stops its own log (the step fails clearly), but the database cannot
/// take the result either, and the pipeline stays `running` with nobody to end it. Several halves, rather than
/// all at once, because other writers (the report, other jobs' logs) may take part of what was given back.
/// Once space is back (a write succeeds and the disk has room for it several times over), the reserve is made whole
/// again, so that the next fill finds it.
enum DiskReserve {
    /// Whether this process gave part of a reserve back and has not made it whole since.
    private static let isLow = Atomic<Bool>(false)

    /// The reserve's size when made.
    static let size = 1 << 20
    /// Below this, what is left is given back whole.
    static let smallest = 16 << 10

    /// The reserve file of `home`.
    static func path(home: String) -> String {
        home + "/.reserve"
    }

    /// Makes the reserve whole (made when missing, grown back when given back in part); gives up silently when the
    /// disk has no room for it (then tries again at the next ``refillIfLow(home:)``).
    /// - Parameter sparing: grow it back only when the disk has this many bytes free besides (a reserve given back
    ///   must not be what fills the disk again at once).
    static func make(home: String, sparing: Int64 = 0) {
        let path = path(home: home)
        var info = stat()
        if stat(path, &info) == 0, info.st_size >= off_t(size) { return }
        var disk = statvfs()
        if sparing > 0, statvfs(home, &disk) == 0,
            Int64(disk.f_bavail) * Int64(disk.f_frsize) < Int64(size) + sparing
        {
            isLow.store(true, ordering: .relaxed)
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let before = fstat(fd, &info) == 0 ? info.st_size : 0
        let result = posix_fallocate(fd, 0, off_t(size))
        if result != 0 { _ = ftruncate(fd, before) }
        close(fd)
        if result != 0, before == 0 { unlink(path) }
        isLow.store(result != 0, ordering: .relaxed)
    }

    /// After a successful write: makes the reserve whole again if this process gave part of it back.
    static func refillIfLow(home: String) {
        guard isLow.load(ordering: .relaxed) else { return }
        make(home: home, sparing: Int64(size))
    }

    /// Gives back half of what is left of the reserve (all of it when little is left).
    /// - Returns: whether anything was given back.
    static func release(home: String) -> Bool {
        let path = path(home: home)
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return false }
        isLow.store(true, ordering: .relaxed)
        if info.st_size <= off_t(smallest) { return unlink(path) == 0 }
        return truncate(path, info.st_size / 2) == 0
    }
}

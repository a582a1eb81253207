// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

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
enum DiskReserve {
    /// The reserve's size when made.
    static let size = 1 << 20
    /// Below this, what is left is given back whole.
    static let smallest = 16 << 10

    /// The reserve file of `home`.
    static func path(home: String) -> String {
        home + "/.reserve"
    }

    /// Makes the reserve unless it exists; gives up silently when the disk has no room for it.
    static func make(home: String) {
        let path = path(home: home)
        if access(path, F_OK) == 0 { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let result = posix_fallocate(fd, 0, off_t(size))
        close(fd)
        if result != 0 { unlink(path) }
    }

    /// Gives back half of what is left of the reserve (all of it when little is left).
    /// - Returns: whether anything was given back.
    static func release(home: String) -> Bool {
        let path = path(home: home)
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return false }
        if info.st_size <= off_t(smallest) { return unlink(path) == 0 }
        return truncate(path, info.st_size / 2) == 0
    }
}

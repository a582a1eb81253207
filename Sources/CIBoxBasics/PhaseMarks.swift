// cibox — CI in a box. MIT licence, see LICENSE.

#if canImport(Glibc)
    import Glibc
#endif

/// Where a process's time goes: when the environment names a file in `CIBOX_PHASES`, every ``mark(_:)`` appends
/// one line `PID NANOSECONDS NAME` to it (monotonic clock, shared by every process of this machine), so
/// `cibox-bench phases` can split a whole `cibox run` into its phases. Without the variable a mark costs one
/// branch on a value read once.
///
/// A mark names the phase that ends at it: "store open" is marked once the store is open.
package enum PhaseMarks {
    /// The file's descriptor, opened for appending at the first mark; -1 when marks are off.
    private static let descriptor: Int32 = {
        guard let path = getenv("CIBOX_PHASES"), path.pointee != 0 else { return -1 }
        return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    }()

    /// Appends the mark `name`, now, when marks are on.
    package static func mark(_ name: @autoclosure () -> String) {
        let fd = descriptor
        guard fd >= 0 else { return }
        let line = "\(getpid()) \(now()) \(name())\n"
        // One write per line, appended: lines of several processes do not interleave.
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }

    /// The monotonic clock in nanoseconds, as marks record it (`cibox-bench` reads the same clock).
    package static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// A running process, told apart from a later one that reuses its pid by its start time.
package struct ProcessIdentity: Sendable, Hashable {
    /// The pid.
    package var pid: Int32
    /// Its start time in clock ticks since boot (`/proc/PID/stat`, field 22).
    package var startTime: Int64

    /// Makes an identity.
    package init(pid: Int32, startTime: Int64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// The identity of process `pid` now, or nil when it does not exist.
    package static func of(_ pid: Int32) -> ProcessIdentity? {
        status(of: pid).map { ProcessIdentity(pid: pid, startTime: $0.startTime) }
    }

    /// The start time and state letter of process `pid` (one read of `/proc/PID/stat`), or nil when it does not
    /// exist.
    private static func status(of pid: Int32) -> (startTime: Int64, state: Substring)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command come: state(1) ppid … starttime is field 22 overall, index 19 here.
        guard fields.count > 19, let start = Int64(fields[19]) else { return nil }
        return (start, fields[0])
    }

    /// This process.
    package static var current: ProcessIdentity? { of(getpid()) }

    /// Whether this exact process is still alive (not a zombie).
    package var isAlive: Bool {
        guard let now = Self.status(of: pid), now.startTime == startTime else { return false }
        return now.state != "Z"
    }
}

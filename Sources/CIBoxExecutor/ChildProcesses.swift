// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The job processes cibox waits for itself, so that orphans reparented to cibox (it is their subreaper)
/// can be reaped without stealing a monitored process's exit status.
package enum ChildProcesses {
    private static let monitored = Mutex<Set<Int32>>([])

    /// Starts a process with `spawn` and marks it as waited for by its monitor, both under the lock that
    /// ``reapOrphans()`` holds, so that a process which exits at once cannot be reaped as an orphan.
    static func spawnMonitored(_ spawn: () throws(ExecutorError) -> Int32) throws(ExecutorError) -> Int32 {
        try monitored.withLock { (pids: inout Set<Int32>) throws(ExecutorError) -> Int32 in
            let pid = try spawn()
            pids.insert(pid)
            return pid
        }
    }

    /// Marks `pid`, a process cibox will wait for itself, as waited for (a container's first process, which comes
    /// to cibox when its runtime exits).
    static func watch(_ pid: Int32) {
        _ = monitored.withLock { $0.insert(pid) }
    }

    /// Marks `pid` as reaped.
    package static func unregister(_ pid: Int32) {
        _ = monitored.withLock { $0.remove(pid) }
    }

    /// Reaps every zombie child of cibox that no monitor waits for (orphaned job processes).
    ///
    /// Only cibox's own children are looked at (`/proc/self/task/*/children`), so the cost does not grow with
    /// the number of processes on the machine. A child in cibox's own session is never taken: job processes all
    /// run in sessions of their own (every step starts one), while the short commands cibox runs through
    /// swift-subprocess stay in cibox's session, and their status is swift-subprocess's to collect.
    static func reapOrphans() {
        let ownSession = getsid(0)
        monitored.withLock { pids in
            for pid in children() where !pids.contains(pid) {
                guard let (state, session) = status(of: pid), state == "Z", session != ownSession else { continue }
                var status: Int32 = 0
                _ = waitpid(pid, &status, WNOHANG)
            }
        }
    }

    /// The pids of this process's children.
    private static func children() -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var result: [Int32] = []
        for task in tasks {
            guard let data = FileManager.default.contents(atPath: "/proc/self/task/\(task)/children") else { continue }
            result += String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { Int32($0) }
        }
        return result
    }

    /// The state letter (`Z` for a zombie) and session id of `pid`, from `/proc/PID/stat`.
    private static func status(of pid: Int32) -> (String, Int32)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After the command's closing parenthesis: state, ppid, pgrp, session, …
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 3, let session = Int32(fields[3]) else { return nil }
        return (String(fields[0]), session)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The job processes cibox waits for itself, so that orphans reparented to cibox (it is their subreaper)
/// can be reaped without stealing a monitored process's exit status.
enum ChildProcesses {
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

    /// Marks `pid` as reaped.
    static func unregister(_ pid: Int32) {
        _ = monitored.withLock { $0.remove(pid) }
    }

    /// Reaps every zombie child of cibox that no monitor waits for (orphaned job processes).
    ///
    /// Only cibox's own children are looked at (`/proc/self/task/*/children`), so the cost does not grow with
    /// the number of processes on the machine.
    static func reapOrphans() {
        monitored.withLock { pids in
            for pid in children() where !pids.contains(pid) && isZombie(pid) {
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

    /// Whether `pid` is a zombie (its state in `/proc/PID/stat` is Z).
    private static func isZombie(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        return text[text.index(after: close)...].split(separator: " ").first == "Z"
    }
}

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
    static func reapOrphans() {
        let own = getpid()
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        monitored.withLock { pids in reap(entries, parent: own, except: pids) }
    }

    private static func reap(_ entries: [String], parent own: Int32, except monitored: Set<Int32>) {
        for entry in entries {
            guard let pid = Int32(entry), let stat = FileManager.default.contents(atPath: "/proc/\(entry)/stat") else {
                continue
            }
            // Fields after the last ')' are: state ppid …
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] == "Z", Int32(fields[1]) == own else { continue }
            if monitored.contains(pid) { continue }
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Lets code outside the executor start child processes that cibox's orphan reaper leaves alone, so that
/// their exit status stays theirs to collect (the notifier's command, for one).
package enum MonitoredChildren {
    /// Starts a process with `spawn` (returning its pid, or nil when it could not start) and marks it as
    /// waited for; call ``finished(_:)`` once it has been reaped.
    package static func start(_ spawn: () -> Int32?) -> Int32? {
        try? ChildProcesses.spawnMonitored { () throws(ExecutorError) -> Int32 in
            guard let pid = spawn() else { throw ExecutorError(.spawnFailed, "cannot start") }
            return pid
        }
    }

    /// Marks `pid` as reaped.
    package static func finished(_ pid: Int32) {
        ChildProcesses.unregister(pid)
    }
}

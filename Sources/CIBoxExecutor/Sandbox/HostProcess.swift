// cibox — CI in a box. MIT licence, see LICENSE.

internal import CSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// A child process of cibox: waited for through a pidfd and `wait4`, signalled with `kill`.
final class HostProcess: SandboxProcess {
    /// Its pid, which is also its process group and session id.
    let pid: pid_t
    /// The pidfd (-1 when the kernel has none).
    let exitDescriptor: Int32

    /// Follows child `pid`.
    init(pid: pid_t) {
        self.pid = pid
        exitDescriptor = cibox_pidfd_open(pid)
    }

    /// Reaps it with `wait4` once it has exited; see ``SandboxProcess``.
    func collectExit(waiting: Bool) -> ProcessExit? {
        var status: Int32 = 0
        var cpu: Double = 0
        var rss = 0
        let waited = cibox_wait4(pid, &status, waiting ? 0 : WNOHANG, &cpu, &rss)
        if waited < 0 && errno == ECHILD {
            // Someone else reaped it (never expected): report it as failed rather than wait forever.
            return ProcessExit(exitCode: 255)
        }
        guard waited == pid else { return nil }
        ChildProcesses.unregister(pid)
        return ProcessExit(
            exitCode: Int(cibox_exit_code(status)), cpuSeconds: cpu, peakMemoryBytes: Int64(rss) * 1024)
    }

    /// Sends `signal` to its process group and to itself.
    func signal(_ signal: Int32) {
        kill(-pid, signal)
        kill(pid, signal)
    }

    /// Closes the pidfd.
    func close() {
        if exitDescriptor >= 0 { Glibc.close(exitDescriptor) }
    }
}

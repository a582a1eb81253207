// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished command printed and how it exited.
package struct CommandOutput: Sendable, Equatable {
    /// Its exit status (128 + signal when killed).
    package var status: Int32
    /// Its standard output.
    package var stdout: String
    /// Its standard error.
    package var stderr: String

    /// Makes an output value.
    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a short command (`sbatch`, `squeue`, `scancel`, …) without blocking a thread of the cooperative pool: the
/// process is polled with `waitpid(WNOHANG)` between short sleeps, and its output goes to temporary files (a pipe
/// that nobody reads while waiting could fill up and stall it).
enum CommandRunner {
    /// Runs `program` (looked up on `PATH`) with `arguments`, at most `timeout` seconds.
    /// - Parameter environment: the whole environment of the command; nil keeps cibox's own.
    /// - Throws: ``SlurmError`` `command` when it cannot start or runs past the timeout (then it is killed).
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60
    ) async throws(SlurmError) -> CommandOutput {
        let base = NSTemporaryDirectory() + "/cibox-\(program)-\(getpid())-\(UUID().uuidString.prefix(8))"
        let outPath = base + ".out"
        let errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var spawnError: Int32 = 0
        let started = MonitoredChildren.start {
            let pid = spawn(program, arguments, environment: environment, stdout: outPath, stderr: errPath)
            spawnError = errno
            return pid
        }
        guard let pid = started else {
            throw SlurmError(
                .command,
                "Cannot run '\(program)': \(String(cString: strerror(spawnError))). Install Slurm's client commands "
                    + "(Debian: slurm-client) on this machine and make sure they are on PATH.")
        }
        defer { MonitoredChildren.finished(pid) }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var pause = 2
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { break }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                throw SlurmError(
                    .command,
                    "'\(program) \(arguments.joined(separator: " "))' did not answer within \(Int(timeout)) s.")
            }
            // Short at first (most commands answer in milliseconds), then every 50 ms.
            try? await Task.sleep(for: .milliseconds(pause))
            pause = min(50, pause * 2)
        }
        let signal = status & 0x7f
        let code = signal != 0 ? 128 + signal : (status >> 8) & 0xff
        return CommandOutput(status: code, stdout: read(outPath), stderr: read(errPath))
    }

    private static func read(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Starts `program` in its own process group with standard input from /dev/null and the outputs to files; nil
    /// (and `errno`) when it cannot start.
    private static func spawn(
        _ program: String, _ arguments: [String], environment: [String: String]?, stdout: String, stderr: String
    ) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // No signal blocked in the command: the calling thread's mask (Swift's threads block some) is not its concern.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawnp(&pid, program, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        }
        guard result == 0 else {
            errno = result
            return nil
        }
        return pid
    }
}

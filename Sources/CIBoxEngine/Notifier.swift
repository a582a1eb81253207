// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
package import CIBoxModel
import Foundation

/// Runs `notify.command` from settings when a pipeline finishes: the executable itself (no shell, no
/// arguments), the pipeline's `--json` object on standard input, at most `timeout` seconds.
///
/// A notification never fails a pipeline or the daemon: every problem is passed to `log` and returned.
package enum Notifier {
    /// How a notification went.
    package enum Outcome: Sendable, Equatable {
        /// No `notify.command` is set.
        case notConfigured
        /// The command exited 0.
        case delivered
        /// It could not start, exited non-zero, or was killed after the timeout; the text says which.
        case failed(String)
    }

    /// Runs `settings.notifyCommand` with `json` on standard input.
    /// - Parameters:
    ///   - json: the finished pipeline's JSON (as `cibox show --json` prints it).
    ///   - timeout: seconds before the command is killed.
    ///   - log: where a failure is reported (standard error by default).
    @discardableResult
    package static func notify(
        json: String, settings: Settings, timeout: Double = 10,
        log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("cibox: " + $0 + "\n").utf8)) }
    ) async -> Outcome {
        guard let command = settings.notifyCommand else { return .notConfigured }
        let outcome = await run(command: command, input: json, timeout: timeout)
        if case .failed(let message) = outcome { log("notify command '\(command)': \(message)") }
        return outcome
    }

    private static func run(command: String, input: String, timeout: Double) async -> Outcome {
        // Standard input is a file, not a pipe: a command that never reads it cannot block cibox or get SIGPIPE.
        let inputPath = NSTemporaryDirectory() + "/cibox-notify-\(UUID().uuidString).json"
        defer { unlink(inputPath) }
        guard FileManager.default.createFile(atPath: inputPath, contents: Data(input.utf8)) else {
            return .failed("cannot write its input to \(inputPath)")
        }
        var spawnError: Int32 = 0
        guard
            let pid = MonitoredChildren.start({
                let pid = spawn(command, inputPath: inputPath)
                spawnError = errno
                return pid
            })
        else { return .failed("cannot start: \(String(cString: strerror(spawnError)))") }
        defer { MonitoredChildren.finished(pid) }
        let (status, killed) = await waitForExit(pid, timeout: timeout)
        if killed { return .failed("killed after \(Int(timeout)) s") }
        let signal = status & 0x7f
        if signal != 0 { return .failed("killed by signal \(signal)") }
        let exitCode = (status >> 8) & 0xff
        return exitCode == 0 ? .delivered : .failed("exited with status \(exitCode)")
    }

    /// Waits for `pid` on a thread of its own (not the concurrency pool, which busy work can starve past the
    /// deadline), killing its process group once `timeout` seconds have passed.
    /// - Returns: its wait status, and whether it was killed.
    private static func waitForExit(_ pid: pid_t, timeout: Double) async -> (status: Int32, killed: Bool) {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let deadline = Date().addingTimeInterval(timeout)
                var status: Int32 = 0
                var killed = false
                while true {
                    let reaped = waitpid(pid, &status, WNOHANG)
                    if reaped == pid || (reaped < 0 && errno != EINTR) { break }
                    if !killed, Date() >= deadline {
                        // The command leads its own process group: whatever it started goes with it.
                        kill(-pid, SIGKILL)
                        killed = true
                    }
                    usleep(10_000)
                }
                continuation.resume(returning: (status, killed))
            }
            thread.stackSize = 128 * 1024
            thread.start()
        }
    }

    /// Starts `command` with no arguments, `inputPath` as standard input, standard output discarded, in a new
    /// process group; nil (and `errno`) when it cannot start.
    private static func spawn(_ command: String, inputPath: String) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(command), nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, command, &actions, &attributes, argv, environ)
        guard result == 0 else {
            errno = result
            return nil
        }
        return pid
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

internal import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How a monitored process ended.
struct ProcessOutcome: Sendable {
    /// Exit code, or 128 + signal.
    var exitCode: Int
    /// Why cibox stopped it, if it did.
    var stoppedFor: FailureCause?
    /// Bytes copied to the log.
    var logBytes: Int64
    /// CPU seconds of the process and the descendants it waited for (from wait4).
    var cpuSeconds: Double = 0
    /// Peak resident memory of the process or one of its waited-for descendants, in bytes.
    var peakMemoryBytes: Int64 = 0
    /// The `errno` of the first log write that failed (a full disk); the step was stopped then.
    var logWriteError: Int32?
}

/// Why cibox stopped a process.
enum FailureCause: UInt8, Sendable {
    case canceled = 1
    case noOutputTimeout = 2
    case timeout = 3
    /// Its output could no longer be written to the log (a full disk): running on would lose it unseen.
    case logWriteFailed = 4
}

/// Watches one running process: copies its output to the log file byte for byte, notices when it exits,
/// and stops its whole process group on cancel or when no output came for too long.
///
/// One monitor runs on its own thread (`run()` blocks in poll), so job output never occupies the
/// cooperative thread pool. `stop(for:)` may be called from any thread.
final class ProcessMonitor: @unchecked Sendable {
    // Invariant: every descriptor is owned by this object; `run()` is called once, on one thread, and
    // closes them all; `stop(for:)` only writes one byte to `wakeWrite`, which is safe from any thread.
    private let pid: pid_t
    private let outputFD: Int32
    private let logFD: Int32
    private let pidFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let noOutputTimeout: Double?
    private let deadline: Date?
    private let killGrace: Double
    /// Kills everything the job started once the grace period is over (the cgroup, or the process group).
    private let killEverything: @Sendable () -> Void

    /// Makes a monitor for `pid`, reading `outputFD` into `logFD`.
    init(
        pid: pid_t, outputFD: Int32, logFD: Int32, noOutputTimeout: Double?, deadline: Date?, killGrace: Double = 2,
        killEverything: @escaping @Sendable () -> Void = {}, secrets: [String] = []
    ) {
        self.masker = SecretMasker(secrets)
        self.pid = pid
        self.outputFD = outputFD
        self.logFD = logFD
        self.pidFD = cibox_pidfd_open(pid)
        var wake: [Int32] = [-1, -1]
        if cibox_pipe(&wake, 1) != 0 { wake = [-1, -1] }
        self.wakeRead = wake[0]
        self.wakeWrite = wake[1]
        self.noOutputTimeout = noOutputTimeout
        self.deadline = deadline
        self.killGrace = killGrace
        self.killEverything = killEverything
    }

    /// Whether `run()` has ended and closed its descriptors; guards `wakeWrite` against reuse by another file.
    private let finished = Mutex(false)

    /// Asks the monitor to stop the process group for `cause` (SIGTERM, then SIGKILL after a grace period).
    /// Does nothing once the monitor has ended.
    func stop(for cause: FailureCause) {
        finished.withLock { isFinished in
            guard !isFinished else { return }
            var byte = cause.rawValue
            _ = write(wakeWrite, &byte, 1)
        }
    }

    /// Runs the monitor on a new thread and returns the outcome when the process has exited.
    func outcome() async -> ProcessOutcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.run()) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private var lastOutput = Date()
    private var stopCause: FailureCause?
    private var killAt: Date?
    private var exitStatus: Int32?
    private var outputOpen = true
    private var bytes: Int64 = 0
    private var drainUntil: Date?
    private var cpuSeconds: Double = 0
    /// Masks secrets in the output, when the job has any.
    private var masker: SecretMasker?
    private var maxRSSKiB = 0
    /// The `errno` of the first failed log write; output is dropped from then on.
    private var logWriteError: Int32?

    /// The blocking loop; see the type's documentation.
    private func run() -> ProcessOutcome {
        defer {
            finished.withLock { isFinished in
                isFinished = true
                close(outputFD)
                if pidFD >= 0 { close(pidFD) }
                close(wakeRead)
                close(wakeWrite)
                if logFD >= 0 { close(logFD) }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while exitStatus == nil || (outputOpen && (drainUntil.map { Date() < $0 } ?? false)) {
            var fds = [
                pollfd(fd: outputOpen ? outputFD : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: exitStatus == nil ? pidFD : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { readOutput(into: &buffer) }
            if fds[1].revents != 0 || (pidFD < 0 && exitStatus == nil) { reapIfExited() }
            if fds[2].revents != 0 { readWake() }
            checkTimers()
        }
        if outputOpen, var masker {
            // A background child still holds the output: write what the masker held back.
            let rest = masker.flush()
            self.masker = masker
            writeLog(rest, count: rest.count)
        }
        if stopCause != nil, killAt != nil {
            // Stopped, and the main process ended within the grace period: no member may outlive it.
            kill(-pid, SIGKILL)
            killJobIfEnding()
        }
        let status = exitStatus ?? 0
        return ProcessOutcome(
            exitCode: Int(cibox_exit_code(status)), stoppedFor: stopCause, logBytes: bytes, cpuSeconds: cpuSeconds,
            peakMemoryBytes: Int64(maxRSSKiB) * 1024, logWriteError: logWriteError
        )
    }

    private func readOutput(into buffer: inout [UInt8]) {
        let count = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
        if count > 0 {
            if masker != nil {
                let masked = masker?.process(buffer[..<count]) ?? []
                writeLog(masked, count: masked.count)
            } else {
                writeLog(buffer, count: count)
            }
            lastOutput = Date()
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            outputOpen = false
            let rest = masker?.flush() ?? []
            writeLog(rest, count: rest.count)
        }
    }

    /// Appends the first `count` bytes of `data` to the log, counting the bytes written. When a write fails
    /// (a full disk), the step is stopped and the rest of its output dropped: the log keeps what fitted and its
    /// recorded size stays that of the file.
    private func writeLog(_ data: [UInt8], count: Int) {
        guard logWriteError == nil else { return }
        let written = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < count {
                let result = write(logFD, raw.baseAddress.map { $0 + offset }, count - offset)
                if result < 0, errno == EINTR { continue }
                if result <= 0 {
                    logWriteError = result < 0 ? errno : ENOSPC
                    break
                }
                offset += result
            }
            return offset
        }
        bytes += Int64(written)
        if logWriteError != nil, stopCause == nil, exitStatus == nil { beginStop(.logWriteFailed) }
    }

    private func reapIfExited() {
        var status: Int32 = 0
        let flags = pidFD >= 0 ? 0 : WNOHANG
        var cpu: Double = 0
        var rss = 0
        let waited = cibox_wait4(pid, &status, flags, &cpu, &rss)
        if waited < 0 && errno == ECHILD {
            // Someone else reaped it (never expected): stop waiting rather than loop forever.
            exitStatus = 255 << 8
            drainUntil = Date().addingTimeInterval(0.2)
            return
        }
        if waited == pid {
            ChildProcesses.unregister(pid)
            cpuSeconds = cpu
            maxRSSKiB = rss
            exitStatus = status
            // Background processes may still hold the output pipe: read what they write for a moment, not forever.
            drainUntil = Date().addingTimeInterval(0.2)
        }
    }

    private func readWake() {
        var byte: UInt8 = 0
        while read(wakeRead, &byte, 1) == 1 {
            if stopCause == nil, let cause = FailureCause(rawValue: byte) { beginStop(cause) }
        }
    }

    private func beginStop(_ cause: FailureCause) {
        stopCause = cause
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        killAt = Date().addingTimeInterval(killGrace)
    }

    private func checkTimers() {
        let now = Date()
        if stopCause == nil, let limit = noOutputTimeout, exitStatus == nil, now.timeIntervalSince(lastOutput) >= limit
        {
            beginStop(.noOutputTimeout)
        }
        if stopCause == nil, let deadline, exitStatus == nil, now >= deadline {
            beginStop(.timeout)
        }
        if let killAt, now >= killAt {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            killJobIfEnding()
            self.killAt = nil
        }
    }

    /// Kills the whole job (its cgroup) when the stop ends the job (cancel, time limit). After a step's
    /// `no_output_timeout` or a failed log write the job goes on with its `when: always` steps, so only the
    /// step's process group is killed; whatever else it started dies when the job ends.
    private func killJobIfEnding() {
        if stopCause != .noOutputTimeout && stopCause != .logWriteFailed { killEverything() }
    }

    /// Milliseconds until the next timer, or 1 s at most, so timers are checked even without events.
    private func pollTimeout() -> Int32 {
        var next: Double = 1
        let now = Date()
        if let limit = noOutputTimeout, stopCause == nil {
            next = min(next, max(0, limit - now.timeIntervalSince(lastOutput)))
        }
        if let deadline, stopCause == nil { next = min(next, max(0, deadline.timeIntervalSince(now))) }
        if let killAt { next = min(next, max(0, killAt.timeIntervalSince(now))) }
        if let drainUntil { next = min(next, max(0, drainUntil.timeIntervalSince(now))) }
        if pidFD < 0 { next = min(next, 0.01) }
        return Int32((next * 1000).rounded(.up))
    }
}

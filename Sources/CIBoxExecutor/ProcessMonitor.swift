// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
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
/// cooperative thread pool. `stop(for:)` may be called from any thread. Every timeout is measured on a
/// monotonic clock (the job's ``Stopwatch``): a change of the machine's time neither fires nor stops one.
final class ProcessMonitor: @unchecked Sendable {
    // Invariant: every descriptor is owned by this object; `run()` is called once, on one thread, and
    // closes them all; `stop(for:)` only writes one byte to `wakeWrite`, which is safe from any thread.
    private let process: any SandboxProcess
    private let outputFD: Int32
    private let logFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let noOutputTimeout: Duration?
    /// When the job's time is up, on `time`.
    private let deadline: Duration?
    private let killGrace: Duration
    /// The job's monotonic time.
    private let time: Stopwatch
    /// Kills everything the job started once the grace period is over (the cgroup, or the process group).
    private let killEverything: @Sendable () -> Void

    /// Makes a monitor for `process`, reading `outputFD` into `logFD`.
    /// - Parameters:
    ///   - time: the job's monotonic time, on which `deadline` is given.
    ///   - noOutputTimeout: how long the process may print nothing before it is stopped.
    ///   - deadline: when, on `time`, the job's time limit is reached.
    init(
        process: any SandboxProcess, outputFD: Int32, logFD: Int32, time: Stopwatch, noOutputTimeout: Duration?,
        deadline: Duration?, killGrace: Duration = .seconds(2), killEverything: @escaping @Sendable () -> Void = {},
        secrets: [String] = []
    ) {
        self.masker = SecretMasker(secrets)
        self.process = process
        self.outputFD = outputFD
        self.logFD = logFD
        self.time = time
        self.lastOutput = time.elapsed
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

    private var lastOutput: Duration
    private var stopCause: FailureCause?
    private var killAt: Duration?
    private var exit: ProcessExit?
    private var outputOpen = true
    private var bytes: Int64 = 0
    private var drainUntil: Duration?
    /// Masks secrets in the output, when the job has any.
    private var masker: SecretMasker?
    /// The `errno` of the first failed log write; output is dropped from then on.
    private var logWriteError: Int32?

    /// The blocking loop; see the type's documentation.
    private func run() -> ProcessOutcome {
        defer {
            finished.withLock { isFinished in
                isFinished = true
                close(outputFD)
                process.close()
                close(wakeRead)
                close(wakeWrite)
                if logFD >= 0 { close(logFD) }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while exit == nil || (outputOpen && (drainUntil.map { time.elapsed < $0 } ?? false)) {
            var fds = [
                pollfd(fd: outputOpen ? outputFD : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: exit == nil ? process.exitDescriptor : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { readOutput(into: &buffer) }
            if fds[1].revents != 0 || (process.exitDescriptor < 0 && exit == nil) { reapIfExited() }
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
            process.signal(SIGKILL)
            killJobIfEnding()
        }
        let ended = exit ?? ProcessExit(exitCode: 0)
        return ProcessOutcome(
            exitCode: ended.exitCode, stoppedFor: stopCause, logBytes: bytes, cpuSeconds: ended.cpuSeconds,
            peakMemoryBytes: ended.peakMemoryBytes, logWriteError: logWriteError
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
            lastOutput = time.elapsed
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
        if logWriteError != nil, stopCause == nil, exit == nil { beginStop(.logWriteFailed) }
    }

    private func reapIfExited() {
        guard let ended = process.collectExit(waiting: process.exitDescriptor >= 0) else { return }
        exit = ended
        // Background processes may still hold the output pipe: read what they write for a moment, not forever.
        drainUntil = time.elapsed + .milliseconds(200)
    }

    private func readWake() {
        var byte: UInt8 = 0
        while read(wakeRead, &byte, 1) == 1 {
            if stopCause == nil, let cause = FailureCause(rawValue: byte) { beginStop(cause) }
        }
    }

    private func beginStop(_ cause: FailureCause) {
        stopCause = cause
        process.signal(SIGTERM)
        killAt = time.elapsed + killGrace
    }

    private func checkTimers() {
        let now = time.elapsed
        if stopCause == nil, let limit = noOutputTimeout, exit == nil, now - lastOutput >= limit {
            beginStop(.noOutputTimeout)
        }
        if stopCause == nil, let deadline, exit == nil, now >= deadline {
            beginStop(.timeout)
        }
        if let killAt, now >= killAt {
            process.signal(SIGKILL)
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

    /// Milliseconds until the next timer, or 1 s at most, so timers are checked even without events (and a test's
    /// manual clock is noticed within a second).
    private func pollTimeout() -> Int32 {
        var next = Duration.seconds(1)
        let now = time.elapsed
        if let limit = noOutputTimeout, stopCause == nil { next = min(next, max(.zero, limit - (now - lastOutput))) }
        if let deadline, stopCause == nil { next = min(next, max(.zero, deadline - now)) }
        if let killAt { next = min(next, max(.zero, killAt - now)) }
        if let drainUntil { next = min(next, max(.zero, drainUntil - now)) }
        if process.exitDescriptor < 0 { next = min(next, .milliseconds(10)) }
        return Int32((next.inSeconds * 1000).rounded(.up))
    }
}

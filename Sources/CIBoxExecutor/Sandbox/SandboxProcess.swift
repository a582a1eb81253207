// cibox — CI in a box. MIT licence, see LICENSE.

/// A process running in a sandbox, as the step loop's monitor sees it: something to wait for, signal and reap.
///
/// Lifecycle: made by ``JobSandbox/spawn(_:)``; ``collectExit(waiting:)`` returns its exit exactly once (then
/// nil); ``close()`` releases its descriptors and is called once, last. Used by one monitor thread; ``signal(_:)``
/// may be called from any thread until `close`.
package protocol SandboxProcess: Sendable {
    /// A descriptor that becomes readable (`POLLIN`) when the process may have exited, or -1 when there is none
    /// (the monitor then asks ``collectExit(waiting:)`` every few milliseconds).
    var exitDescriptor: Int32 { get }

    /// Its exit, if it has exited; with `waiting`, blocks until it does.
    func collectExit(waiting: Bool) -> ProcessExit?

    /// Waits (without blocking a thread) until it has exited and returns its exit; for processes nobody monitors
    /// with a poll loop (the built-in steps' helpers). Use either this or ``collectExit(waiting:)``, not both.
    func exited() async -> ProcessExit

    /// Sends `signal` to its process group and to itself.
    func signal(_ signal: Int32)

    /// Releases its descriptors.
    func close()
}

/// How a process ended.
package struct ProcessExit: Sendable, Equatable {
    /// Its exit code, or 128 + the signal that killed it.
    package var exitCode: Int
    /// CPU seconds of the process and the descendants it waited for.
    package var cpuSeconds: Double
    /// Peak resident memory of the process or one of its waited-for descendants, in bytes.
    package var peakMemoryBytes: Int64

    /// Makes an exit.
    package init(exitCode: Int, cpuSeconds: Double = 0, peakMemoryBytes: Int64 = 0) {
        self.exitCode = exitCode
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
    }
}

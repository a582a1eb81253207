// cibox — CI in a box. MIT licence, see LICENSE.

internal import CSpawn
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A process the job agent started: its exit arrives as a message, which wakes the monitor through a pipe.
package final class AgentProcess: SandboxProcess {
    private let connection: AgentConnection
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let exit = Mutex<ProcessExit?>(nil)
    private let collected = Mutex(false)
    private let ids = Mutex<(id: Int64, pid: Int32)>((0, 0))
    private let waiter = Mutex<CheckedContinuation<ProcessExit, Never>?>(nil)

    init(connection: AgentConnection) {
        self.connection = connection
        var fds: [Int32] = [-1, -1]
        if cibox_pipe(&fds, 1) != 0 { fds = [-1, -1] }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// The agent's id of this process.
    var id: Int64 {
        get { ids.withLock { $0.id } }
        set { ids.withLock { $0.id = newValue } }
    }

    /// Its pid (in the agent's pid namespace).
    package var agentPID: Int32 {
        get { ids.withLock { $0.pid } }
        set { ids.withLock { $0.pid = newValue } }
    }

    /// Readable once the exit arrived.
    package var exitDescriptor: Int32 { wakeRead }

    /// Called by the connection's reader when the agent reports the exit (or went away).
    func didExit(_ ended: ProcessExit) {
        exit.withLock { $0 = $0 ?? ended }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        waiter.withLock { waiter in
            defer { waiter = nil }
            return waiter
        }?.resume(returning: ended)
    }

    /// Waits until the agent reports the exit.
    package func exited() async -> ProcessExit {
        await withCheckedContinuation { continuation in
            let ended = exit.withLock { ended in
                if ended == nil { waiter.withLock { $0 = continuation } }
                return ended
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Its exit once reported, exactly once.
    package func collectExit(waiting: Bool) -> ProcessExit? {
        guard let ended = exit.withLock({ $0 }) else { return nil }
        let first = collected.withLock { done in
            defer { done = true }
            return !done
        }
        return first ? ended : nil
    }

    /// Asks the agent to send `signal` to its process group and to it.
    package func signal(_ signal: Int32) {
        connection.signal(id, signal)
    }

    /// Closes the wake-up pipe.
    package func close() {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }
}

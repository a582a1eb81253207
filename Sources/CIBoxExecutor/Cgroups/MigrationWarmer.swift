// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the kernel's cgroup migration path warm while a job is about to place its first process in its cgroup.
///
/// Why: moving a process into a cgroup takes the kernel's `cgroup_threadgroup_rwsem` for writing, and when no
/// migration happened in the last grace period, that first waits for an RCU grace period: 5–20 ms on this
/// machine (cgroup v1 without the `favordynmods` mount option), paid by every job's first step. A migration
/// that comes while the previous one's grace period is still running does not wait. So from the moment a job
/// (or a pipeline) is known to start soon until its first process is placed, a thread moves cibox into the
/// cgroup it is already in (a migration that changes nothing) every 5 ms, unless a job's process was placed
/// in the last 5 ms (many jobs starting keep the path warm by themselves): the job's own migration then takes
/// well under a millisecond (measured with `cibox-bench prepush-fresh`; intervals up to 10 ms worked here,
/// 20 ms did not).
///
/// Each hold ends when its holder says so or at its deadline, whichever comes first; the thread stops when no
/// hold is left. Concurrency: safe from any thread.
package final class MigrationWarmer: Sendable {
    /// `cgroup.procs` of the cgroup cibox is in, in one v1 hierarchy.
    private let procsFile: String
    private let state = Mutex<State>(State())

    private struct State {
        var holds: [Int: ContinuousClock.Instant] = [:]
        /// When a job's process was last placed in its cgroup.
        var lastMigration: ContinuousClock.Instant?
        var nextID = 0
        var threadRunning = false
        /// The cgroup cannot be written here: warming is given up.
        var unusable = false
    }

    /// A warmer that migrates cibox into its own cgroup through `procsFile`.
    package init(procsFile: String) {
        self.procsFile = procsFile
    }

    /// Keeps migrations warm until ``end(_:)`` with the returned id, or for `limit` at most.
    @discardableResult
    package func begin(limit: Duration = .seconds(2)) -> Int {
        let deadline = ContinuousClock.now + limit
        let (id, starts) = state.withLock { state -> (Int, Bool) in
            state.nextID += 1
            guard !state.unusable else { return (state.nextID, false) }
            state.holds[state.nextID] = deadline
            defer { state.threadRunning = true }
            return (state.nextID, !state.threadRunning)
        }
        if starts { Thread.detachNewThread { [self] in warm() } }
        return id
    }

    /// Whether the warming thread runs.
    package var isWarming: Bool { state.withLock { $0.threadRunning } }

    /// Ends the hold `id` (nothing when it already ended); `migrated` says that a process was just placed in
    /// a cgroup.
    package func end(_ id: Int, migrated: Bool = false) {
        state.withLock { state in
            state.holds.removeValue(forKey: id)
            if migrated { state.lastMigration = ContinuousClock.now }
        }
    }

    /// How often the path is kept warm.
    private static let intervalMicroseconds: UInt32 = 5000
    private static let interval = Duration.microseconds(Int64(intervalMicroseconds))

    private func warm() {
        let pid = Array(String(getpid()).utf8)
        while true {
            let (keepsGoing, isWarm) = state.withLock { state -> (Bool, Bool) in
                let now = ContinuousClock.now
                state.holds = state.holds.filter { $0.value > now }
                if state.holds.isEmpty { state.threadRunning = false }
                return (!state.holds.isEmpty, state.lastMigration.map { now - $0 < Self.interval } ?? false)
            }
            guard keepsGoing else { return }
            if isWarm {
                usleep(Self.intervalMicroseconds)
                continue
            }
            let fd = open(procsFile, O_WRONLY | O_CLOEXEC)
            let written = fd < 0 ? -1 : pid.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if fd >= 0 { close(fd) }
            guard written == pid.count else {
                // Not allowed here: nothing to warm, and nothing lost but the time a first migration waits.
                state.withLock { state in
                    state.holds = [:]
                    state.threadRunning = false
                    state.unusable = true
                }
                return
            }
            usleep(Self.intervalMicroseconds)
        }
    }
}

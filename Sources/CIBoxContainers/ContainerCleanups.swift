// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// What is left to undo of jobs that already ended: a primary container's `runc delete`, its root's unmount and the
/// job's folders. That work (≈ 20 ms) runs after the job's result is known, beside what cibox does next (recording,
/// the report, the next job), instead of before it; whoever ends the process waits for it with ``drain()`` (the
/// engine at the end of each pipeline, the Slurm agent after its job). Should cibox die first, the next start's
/// recovery removes what is left by the container's id.
package final class ContainerCleanups: Sendable {
    /// The process's one list.
    package static let shared = ContainerCleanups()

    private let pending = Mutex<[Int: Task<Void, Never>]>([:])
    private let counter = Atomic<Int>(0)

    /// Starts `work` now, in a task of its own (never cancelled with the caller's).
    func add(_ work: @escaping @Sendable () async -> Void) {
        let key = counter.add(1, ordering: .relaxed).newValue
        let task = Task.detached { [self] in
            await work()
            _ = pending.withLock { $0.removeValue(forKey: key) }
        }
        // A task that ended before this line is inserted anyway: ``drain()`` finds it ended and drops it.
        pending.withLock { $0[key] = task }
    }

    /// Waits until every cleanup started so far has ended.
    package func drain() async {
        while let (key, task) = pending.withLock({ $0.first.map { ($0.key, $0.value) } }) {
            await task.value
            _ = pending.withLock { $0.removeValue(forKey: key) }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// Lets the outside cancel single job runs of a running pipeline (`cibox cancel`): requests flow into the
/// ``PipelineDriver`` that runs it, which stops running ones and settles the rest as `canceled`.
package final class PipelineControl: Sendable {
    let requests: AsyncStream<[Int64]>
    private let continuation: AsyncStream<[Int64]>.Continuation
    /// How to stop each running job run's task, and the job runs asked to stop before they registered;
    /// one lock for both, so a request and a registration cannot miss each other.
    private let tasks = Mutex<(running: [Int64: @Sendable () -> Void], pending: Set<Int64>)>(([:], []))

    /// Makes a control for one pipeline run.
    package init() {
        (requests, continuation) = AsyncStream.makeStream(of: [Int64].self)
    }

    /// Asks for job runs `ids` to be cancelled (running ones are stopped, waiting ones never start).
    package func cancel(_ ids: [Int64]) {
        continuation.yield(ids)
    }

    /// Ends the request stream (the pipeline is over).
    func finish() {
        continuation.finish()
    }

    /// Registers how to stop the task running job run `id`; stops it at once if that was already asked.
    func register(_ id: Int64, cancel: @escaping @Sendable () -> Void) {
        let wasAsked = tasks.withLock { state in
            state.running[id] = cancel
            return state.pending.remove(id) != nil
        }
        if wasAsked { cancel() }
    }

    /// Forgets job run `id`'s task.
    func unregister(_ id: Int64) {
        _ = tasks.withLock { $0.running.removeValue(forKey: id) }
    }

    /// Cancels the task of job run `id`, now if it has registered, else as soon as it does.
    func stop(_ id: Int64) {
        let cancel = tasks.withLock { state -> (@Sendable () -> Void)? in
            guard let cancel = state.running[id] else {
                state.pending.insert(id)
                return nil
            }
            return cancel
        }
        cancel?()
    }
}

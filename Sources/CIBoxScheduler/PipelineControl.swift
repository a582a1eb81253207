// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// Lets the outside cancel single job runs of a running pipeline (`cibox cancel`): requests flow into the
/// ``PipelineDriver`` that runs it, which stops running ones and settles the rest as `canceled`.
package final class PipelineControl: Sendable {
    let requests: AsyncStream<[Int64]>
    private let continuation: AsyncStream<[Int64]>.Continuation
    /// Handles of running job runs' tasks, by job run id.
    private let running = Mutex<[Int64: @Sendable () -> Void]>([:])

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

    /// Registers how to stop the task running job run `id`.
    func register(_ id: Int64, cancel: @escaping @Sendable () -> Void) {
        running.withLock { $0[id] = cancel }
    }

    /// Forgets job run `id`'s task.
    func unregister(_ id: Int64) {
        _ = running.withLock { $0.removeValue(forKey: id) }
    }

    /// Cancels the task of running job run `id`; false when it is not running.
    func stop(_ id: Int64) -> Bool {
        guard let cancel = running.withLock({ $0[id] }) else { return false }
        cancel()
        return true
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Hands out job slots to the job runs of every pipeline in this process, as ``SlotQueue`` decides.
/// Waiting is cancellable: a cancelled waiter leaves the queue and gets no slot.
package actor SlotPool {
    private var queue: SlotQueue
    private var waiters: [Int64: CheckedContinuation<Bool, Never>] = [:]
    private var ready: Set<Int64> = []

    /// Makes a pool over `capacity`.
    package init(capacity: Capacity, maxBypass: Int = 4) {
        queue = SlotQueue(capacity: capacity, maxBypass: maxBypass)
    }

    /// The capacity shared.
    package var capacity: Capacity { queue.capacity }

    /// What running job runs hold now.
    package var used: Capacity { queue.used }

    /// Job runs holding a slot.
    package var running: [SlotRequest] { Array(queue.running.values) }

    /// Job runs waiting, in service order.
    package var waitingIDs: [Int64] { queue.waitingIDs }

    /// Waits for a slot for `request`; returns false when the task was cancelled before it got one.
    package func acquire(_ request: SlotRequest) async -> Bool {
        if Task.isCancelled { return false }
        let started = queue.enqueue(request)
        wake(started)
        if ready.remove(request.id) != nil { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if ready.remove(request.id) != nil {
                    continuation.resume(returning: true)
                } else {
                    waiters[request.id] = continuation
                }
            }
        } onCancel: {
            Task { await self.withdraw(request.id) }
        }
    }

    /// Gives job run `id`'s slot back.
    package func release(_ id: Int64) {
        wake(queue.release(id))
    }

    private func withdraw(_ id: Int64) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        wake(queue.withdraw(id))
        continuation.resume(returning: false)
    }

    private func wake(_ ids: [Int64]) {
        for id in ids {
            if let continuation = waiters.removeValue(forKey: id) {
                continuation.resume(returning: true)
            } else {
                ready.insert(id)
            }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Hands out a bounded number of job slots to the job runs of every pipeline in this process, first come
/// first served. Waiting is cancellable: a cancelled waiter leaves the queue and gets no slot.
package actor SlotPool {
    /// How many job runs may run at once.
    package let capacity: Int
    private var inUse = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter = 0

    /// Makes a pool of `capacity` slots (at least 1).
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits for a slot; returns false when the task was cancelled before it got one.
    package func acquire() async -> Bool {
        if Task.isCancelled { return false }
        if inUse < capacity && waiters.isEmpty {
            inUse += 1
            return true
        }
        nextWaiter += 1
        let id = nextWaiter
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a slot back and wakes the next waiter.
    package func release() {
        if waiters.isEmpty {
            inUse = max(0, inUse - 1)
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    /// Slots in use now.
    package var used: Int { inUse }
}

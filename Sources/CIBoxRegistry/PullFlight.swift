// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import Synchronization

/// One pull that any number of jobs wait for: it runs once, and stops (its skopeo killed) when every waiter left.
final class PullFlight: Sendable {
    private struct State {
        var waiters = 0
        var result: Result<ImageRecord, RegistryError>?
        var task: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Adds a waiter.
    func join() {
        state.withLock { $0.waiters += 1 }
    }

    /// Starts `work` (once, by the waiter that made the flight); `ended` runs after the result is kept.
    func start(
        _ work: @escaping @Sendable () async throws(RegistryError) -> ImageRecord,
        ended: @escaping @Sendable () -> Void
    ) {
        let task = Task {
            let result: Result<ImageRecord, RegistryError>
            do throws(RegistryError) {
                result = .success(try await work())
            } catch {
                result = .failure(error)
            }
            state.withLock { $0.result = result }
            ended()
        }
        state.withLock { $0.task = task }
    }

    /// Waits for the result. A cancelled waiter leaves at once; the last one to leave stops the pull.
    /// - Throws: the pull's error, or ``RegistryError`` `failed` when the waiter was cancelled.
    func wait() async throws(RegistryError) -> ImageRecord {
        while true {
            if let result = state.withLock({ $0.result }) {
                state.withLock { $0.waiters -= 1 }
                return try result.get()
            }
            if Task.isCancelled {
                let task = state.withLock { state -> Task<Void, Never>? in
                    state.waiters -= 1
                    return state.waiters == 0 ? state.task : nil
                }
                task?.cancel()
                throw RegistryError(.failed, "The pull was cancelled.")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

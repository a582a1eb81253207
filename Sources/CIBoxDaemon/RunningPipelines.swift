// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore
import Foundation

/// The pipelines a daemon runs now, so that a shutdown can give them a grace period and then stop them.
actor RunningPipelines {
    private var tasks: [Int64: Task<Void, Never>] = [:]

    /// Runs `body` for pipeline `id` in a task of its own.
    func start(_ id: Int64, _ body: @escaping @Sendable () async -> Void) {
        let task = Task { [weak self] in
            await body()
            await self?.finished(id)
        }
        tasks[id] = task
    }

    private func finished(_ id: Int64) {
        tasks[id] = nil
    }

    /// Waits up to `gracePeriod` seconds for the pipelines to end, then cancels the rest and records their
    /// stopped jobs as `interrupted`.
    func windDown(gracePeriod: Double, store: PipelineStore) async {
        let deadline = Date().addingTimeInterval(gracePeriod)
        while !tasks.isEmpty && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let left = tasks
        let stoppedAt = Date()
        for task in left.values { task.cancel() }
        for task in left.values { await task.value }
        for id in left.keys { try? store.recovery.markCanceledAsInterrupted(pipelineID: id, since: stoppedAt) }
    }
}

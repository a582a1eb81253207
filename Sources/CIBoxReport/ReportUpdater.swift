// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// Keeps the report up to date while pipelines run, off their path: requests are coalesced per pipeline
/// (two jobs ending during one write make one more write), written one at a time by a single task, and a
/// failure is a warning said once — a report never fails a pipeline.
///
/// Lifecycle: one per engine (a `cibox run`, the daemon). Concurrency: ``request(pipelineID:jobID:)`` and
/// ``flush()`` may be called from any task.
package final class ReportUpdater: Sendable {
    /// What is waiting to be written: pipeline id → the job runs to rewrite (nil: all of them).
    private struct State {
        var pending: [Int64: Set<Int64>?] = [:]
        var order: [Int64] = []
        var worker: Task<Void, Never>?
        var hasWarned = false
    }

    private let writer: ReportWriter
    private let warn: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// An updater writing with `writer`, telling `warn` about its first failure.
    package init(writer: ReportWriter, warn: @escaping @Sendable (String) -> Void) {
        self.writer = writer
        self.warn = warn
    }

    /// Asks for pipeline `pipelineID`'s pages (and job run `jobID`'s, when given) to be rewritten soon.
    package func request(pipelineID: Int64, jobID: Int64? = nil) {
        state.withLock { state in
            if let existing = state.pending[pipelineID] {
                if let jobID, var jobs = existing {
                    jobs.insert(jobID)
                    state.pending[pipelineID] = .some(jobs)
                }
            } else {
                state.pending[pipelineID] = .some(jobID.map { [$0] } ?? [])
                state.order.append(pipelineID)
            }
            if state.worker == nil {
                state.worker = Task { await self.drain() }
            }
        }
    }

    /// Waits until every requested page is written.
    package func flush() async {
        while let worker = state.withLock({ $0.worker }) {
            await worker.value
        }
    }

    /// Writes requests until none is left.
    private func drain() async {
        while true {
            let next: (Int64, Set<Int64>?)? = state.withLock { state in
                guard !state.order.isEmpty else {
                    state.worker = nil
                    return nil
                }
                let id = state.order.removeFirst()
                let jobs = state.pending.removeValue(forKey: id) ?? nil
                return (id, jobs)
            }
            guard let (pipelineID, jobIDs) = next else { return }
            do {
                try writer.update(pipelineID: pipelineID, jobIDs: jobIDs)
            } catch {
                let isFirst = state.withLock { state in
                    defer { state.hasWarned = true }
                    return !state.hasWarned
                }
                if isFirst { warn("the HTML report could not be updated (the pipeline goes on): \(error.message)") }
            }
        }
    }
}

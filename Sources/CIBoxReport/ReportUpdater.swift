// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// Keeps the report up to date while pipelines run, off their path: requests are coalesced per pipeline
/// (jobs ending while a write is under way or within `interval` of the last one make one more write), written
/// one at a time by a single task, and a failure is a warning said once — a report never fails a pipeline.
///
/// Why the interval: a wide pipeline ends many jobs a second, and rewriting its pages for each would keep a
/// core busy that its jobs need; ``flush()`` skips the wait, so a pipeline's last pages are written at once.
/// An idle updater's first write waits the interval as well, so a short pipeline is written once.
///
/// Lifecycle: one per engine (a `cibox run`, the daemon). Concurrency: ``request(pipelineID:jobID:)`` and
/// ``flush()`` may be called from any task.
package final class ReportUpdater: Sendable {
    /// What is waiting to be written: pipeline id → the job runs to rewrite (nil: all of them).
    private struct State {
        /// Pipeline id → the job runs to rewrite (nil: all of them).
        var pending: [Int64: Set<Int64>?] = [:]
        /// The pending pipelines in the order they were asked for.
        var order: [Int64] = []
        /// The task writing, while there is one.
        var worker: Task<Void, Never>?
        /// Whether a failure was already reported.
        var hasWarned = false
    }

    private let writer: ReportWriter
    private let warn: @Sendable (String) -> Void
    private let interval: Duration
    private let state = Mutex(State())

    /// An updater writing with `writer`, at most once per `interval` unless flushed, telling `warn` about its
    /// first failure.
    package init(
        writer: ReportWriter, interval: Duration = .milliseconds(200), warn: @escaping @Sendable (String) -> Void
    ) {
        self.writer = writer
        self.interval = interval
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

    /// Writes every requested page now (without waiting for the interval) and returns when they are written.
    package func flush() async {
        while let worker = state.withLock({ $0.worker }) {
            // Cancelling ends the worker's pause at once; the writes themselves are not cancellable.
            worker.cancel()
            await worker.value
        }
    }

    /// Writes requests until none is left, pausing `interval` between writes so that requests coalesce.
    private func drain() async {
        let clock = ContinuousClock()
        // The first write waits the interval too: a pipeline that ends within it (the pre-push gate's usual
        // case) is written once, by the flush at its end, not once more as it starts (≈ 4 ms less per push).
        var lastWrite: ContinuousClock.Instant? = clock.now
        while true {
            if let lastWrite, !Task.isCancelled {
                try? await Task.sleep(until: lastWrite.advanced(by: interval), clock: clock)
            }
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
            defer { lastWrite = clock.now }
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

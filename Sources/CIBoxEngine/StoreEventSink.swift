// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxScheduler
import CIBoxStore
import Synchronization

/// Persists pipeline events in the store. A write that fails never stops the jobs themselves (their logs are
/// already on disk): the event is kept, in order with every later one, and written again at the next event and by
/// ``flush()`` (which the engine calls, with pauses, after the pipeline), so that an outage of the database (a full
/// disk, a read-only file) ends with the pipeline recorded as it ran, without a restart.
final class StoreEventSink: PipelineEventSink {
    let store: PipelineStore
    private let state = Mutex<(pending: [PipelineEvent], errors: [String])>(([], []))

    init(store: PipelineStore) {
        self.store = store
    }

    /// The write failures seen so far.
    var errors: [String] { state.withLock { $0.errors } }

    /// Whether events wait to be written.
    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }

    func handle(_ event: PipelineEvent) async {
        state.withLock { $0.pending.append(event) }
        flush()
    }

    /// Writes the waiting events in order, up to the first that fails again.
    /// - Returns: whether none is left.
    @discardableResult
    func flush() -> Bool {
        state.withLock { state in
            while let event = state.pending.first {
                do {
                    try persist(event)
                } catch {
                    state.errors.append(String(describing: error))
                    return false
                }
                state.pending.removeFirst()
            }
            return true
        }
    }

    private func persist(_ event: PipelineEvent) throws(StoreError) {
        switch event {
        case .pipelineStatus(let id, let status, let date):
            try store.pipelines.setPipeline(
                id, status: status, startedAt: status == .running ? date : nil,
                finishedAt: status.isFinal ? date : nil
            )
        case .pipelineFailed(let id, let message, let date):
            try store.pipelines.setPipeline(id, status: .error, finishedAt: date, errorMessage: message)
        case .workflowStatus(let id, let status, let date):
            try store.pipelines.setWorkflow(
                id, status: status, startedAt: status == .running ? date : nil,
                finishedAt: status.isFinal ? date : nil
            )
        case .jobStatus(let id, let status, let date):
            try store.jobs.setJob(id, status: status, startedAt: status == .running ? date : nil)
        case .jobFinished(let id, let result):
            let resources = JobResources(
                isolation: result.isolation.rawValue, cpuSeconds: result.usage.cpuSeconds,
                peakMemoryBytes: result.usage.peakMemoryBytes, oomKills: result.usage.oomKills,
                memoryLimitBytes: result.limits?.memoryBytes, millicoresLimit: result.limits?.millicores,
                pidsLimitHits: result.usage.pidsLimitHits, pidsLimit: result.limits?.pids
            )
            // Test cases first, so that a job shown as finished already has its test counts.
            try store.testCases.recordTestCases(result.testCases, jobID: id)
            try store.jobs.finishJob(
                id, status: result.status, exitCode: result.exitCode, failureReason: result.failureReason,
                failureMessage: result.failureMessage, startedAt: result.startedAt, finishedAt: result.finishedAt,
                resources: resources, resourceClass: result.resourceClass, image: result.image
            )
        case .stepStarted(let jobID, let index, let date):
            try store.jobs.startStep(jobID: jobID, index: index, at: date)
        case .jobSubmitted(let id, let reference):
            try store.recovery.setExecutorReference(jobID: id, reference: reference)
        case .stepFinished(let jobID, let index, let result):
            try store.jobs.finishStep(
                jobID: jobID, index: index, status: result.status, exitCode: result.exitCode,
                logBytes: result.logBytes, finishedAt: result.finishedAt
            )
        }
    }
}

/// Hands each event to several sinks in order (the store first, so that what is shown is already saved).
struct EventFanout: PipelineEventSink {
    let sinks: [any PipelineEventSink]

    func handle(_ event: PipelineEvent) async {
        for sink in sinks { await sink.handle(event) }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
package import CIBoxModel
import Foundation

/// Runs one recorded pipeline to its end: starts every job run whose requirements are met when a slot is
/// free, settles dependents, and publishes every change as a ``PipelineEvent``.
///
/// Cancelling the calling task cancels the pipeline: running job runs are stopped, the others end `canceled`.
/// A ``PipelineControl`` cancels single job runs the same way. A broken invariant of the job state machine (an
/// illegal transition) is never dropped: the running job runs are stopped, the pipeline ends `error`, and a
/// ``PipelineEvent/pipelineFailed(id:message:at:)`` event carries the cause.
package struct PipelineDriver: Sendable {
    /// Where job runs run.
    package let executor: any Executor
    /// The slots shared with other pipelines of this process.
    package let slots: SlotPool
    /// Who hears about changes.
    package let sink: any PipelineEventSink
    /// What gets a job run ready before it asks for a slot (pulls its images); nil: nothing to do.
    package let preparer: (any JobPreparer)?

    /// Makes a driver.
    package init(
        executor: any Executor, slots: SlotPool, sink: any PipelineEventSink, preparer: (any JobPreparer)? = nil
    ) {
        self.executor = executor
        self.slots = slots
        self.sink = sink
        self.preparer = preparer
    }

    /// What a child task of the driver reports.
    private enum Outcome: Sendable {
        case finished(Int64, JobResult)
        case cancelRequest([Int64])
        case controlEnded
    }

    /// Runs `detail` (recorded from `plan`) and returns its final status.
    /// - Parameters:
    ///   - control: lets others cancel job runs while it runs.
    ///   - makeRequest: builds the executor request for a job run from its row and its plan.
    package func run(
        _ detail: PipelineDetail,
        plan: Plan,
        control: PipelineControl = PipelineControl(),
        makeRequest: @escaping @Sendable (Job, JobPlan) -> JobRunRequest
    ) async -> PipelineStatus {
        var state = DriverState(detail: detail, plan: plan)
        await sink.handle(.pipelineStatus(id: detail.pipeline.id, status: .running, at: Date()))
        await publish(state.propagate())
        await publishWorkflows(&state)
        await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await Self.nextRequest(control) }
            var controlOpen = true
            var stopping = false
            while true {
                if state.fault != nil, !stopping {
                    // Nothing more starts; what runs is stopped and reports back.
                    stopping = true
                    for id in state.launched { control.stop(id) }
                }
                let unplanned = stopping ? [] : launch(&state, into: &group, control: control, makeRequest: makeRequest)
                if !unplanned.isEmpty { await cancel(unplanned, state: &state, control: control) }
                await publishWorkflows(&state)
                if state.launched.isEmpty, controlOpen, stopping || state.progress.startable.isEmpty {
                    control.finish()
                }
                guard let outcome = await group.next() else { break }
                switch outcome {
                case .finished(let id, let result):
                    await settle(id, result: result, state: &state)
                case .cancelRequest(let ids):
                    await cancel(ids, state: &state, control: control)
                    group.addTask { await Self.nextRequest(control) }
                case .controlEnded:
                    controlOpen = false
                }
            }
        }
        if Task.isCancelled || state.fault != nil {
            await cancel(state.progress.entries.map(\.id), state: &state, control: control)
        }
        await publishWorkflows(&state)
        var status = state.progress.pipelineStatus
        if let fault = state.fault {
            status = .error
            let message = "cibox stopped the pipeline: \(fault.description)"
            await sink.handle(.pipelineFailed(id: detail.pipeline.id, message: message, at: Date()))
        }
        await sink.handle(.pipelineStatus(id: detail.pipeline.id, status: status, at: Date()))
        return status
    }

    private static func nextRequest(_ control: PipelineControl) async -> Outcome {
        var iterator = control.requests.makeAsyncIterator()
        guard let ids = await iterator.next() else { return .controlEnded }
        return .cancelRequest(ids)
    }

    private func launch(
        _ state: inout DriverState, into group: inout TaskGroup<Outcome>, control: PipelineControl,
        makeRequest: @escaping @Sendable (Job, JobPlan) -> JobRunRequest
    ) -> [Int64] {
        var unplanned: [Int64] = []
        for id in state.progress.startable where !state.launched.contains(id) && !state.finished.contains(id) {
            guard let job = state.jobs[id], let jobPlan = state.jobPlans[id] else {
                // A recorded job run without a plan cannot run; it must not keep the pipeline open forever.
                unplanned.append(id)
                continue
            }
            state.launched.insert(id)
            _ = state.apply(.start, to: id)
            let request = makeRequest(job, jobPlan)
            let slot = SlotRequest(
                id: id, project: state.projectID, priority: state.priority,
                millicores: request.limits?.millicores ?? 1000, memoryBytes: request.limits?.memoryBytes ?? 0
            )
            group.addTask {
                let task = Task { await runJob(request, slot: slot) }
                control.register(id) { task.cancel() }
                let result = await withTaskCancellationHandler {
                    await task.value
                } onCancel: {
                    task.cancel()
                }
                control.unregister(id)
                return .finished(id, result)
            }
        }
        return unplanned
    }
}

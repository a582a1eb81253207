// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import Foundation

/// What the driver tracks while a pipeline runs.
struct DriverState {
    var progress: PipelineProgress
    let detail: PipelineDetail
    let jobs: [Int64: Job]
    let jobPlans: [Int64: JobPlan]
    let projectID: Int64
    let priority: Priority
    /// Job runs handed to a task and not finished yet.
    var launched: Set<Int64> = []
    /// Job runs that ended (ran or were cancelled before running).
    var finished: Set<Int64> = []
    /// The last published status of each workflow.
    var workflowStatuses: [WorkflowStatus]
    /// The first broken invariant met (an illegal job transition): the pipeline stops and ends `error` with it.
    var fault: InternalError?

    /// Applies `event` to job run `id`; a broken invariant is kept in ``fault`` and changes nothing.
    mutating func apply(_ event: JobStateMachine.Event, to id: Int64) -> [PipelineProgress.Entry] {
        do {
            return try progress.apply(event, to: id)
        } catch {
            if fault == nil { fault = error }
            return []
        }
    }

    /// Settles blocked job runs (see ``PipelineProgress/propagate()``); a broken invariant is kept in ``fault``.
    mutating func propagate() -> [PipelineProgress.Entry] {
        do {
            return try progress.propagate()
        } catch {
            if fault == nil { fault = error }
            return []
        }
    }

    init(detail: PipelineDetail, plan: Plan) {
        progress = PipelineProgress(detail: detail, plan: plan)
        self.detail = detail
        jobs = Dictionary(uniqueKeysWithValues: detail.workflows.flatMap(\.jobs).map { ($0.job.id, $0.job) })
        var plans: [Int64: JobPlan] = [:]
        for workflow in detail.workflows {
            let jobPlans = plan.workflows.first { $0.name == workflow.workflow.name }?.jobs ?? []
            for job in workflow.jobs { plans[job.job.id] = jobPlans.first { $0.name == job.job.name } }
        }
        jobPlans = plans
        projectID = detail.pipeline.projectID
        priority = Priority(detail.pipeline.trigger)
        workflowStatuses = detail.workflows.map { _ in .queued }
    }
}

extension PipelineDriver {
    /// Gets the job run ready (its images pulled) while it holds no slot, then waits for a slot, runs the job run,
    /// and gives the slot back. A job run on a cluster takes no slot of this machine: the cluster queues it.
    func runJob(_ request: JobRunRequest, slot: SlotRequest) async -> JobResult {
        var request = request
        if let preparer {
            switch await preparer.prepare(request) {
            case .ready(let ready):
                request = ready
            case .failed(let message):
                if Task.isCancelled {
                    let now = Date()
                    return JobResult(
                        status: .canceled, failureReason: .canceled, startedAt: now, finishedAt: now, steps: [])
                }
                await sink.handle(.jobStatus(id: request.jobID, status: .running, at: Date()))
                return await JobResult.notStarted(
                    request, observer: StepEventForwarder(sink: sink), message: message)
            }
        }
        let acquired = request.usesLocalSlot ? await slots.acquire(slot) : !Task.isCancelled
        guard acquired else {
            let now = Date()
            return JobResult(status: .canceled, failureReason: .canceled, startedAt: now, finishedAt: now, steps: [])
        }
        await sink.handle(.jobStatus(id: request.jobID, status: .running, at: Date()))
        let result = await executor.run(request, observer: StepEventForwarder(sink: sink))
        if request.usesLocalSlot { await slots.release(slot.id) }
        return result
    }

    /// Records how job run `id` ended and settles its dependents.
    func settle(_ id: Int64, result: JobResult, state: inout DriverState) async {
        state.launched.remove(id)
        state.finished.insert(id)
        if result.steps.isEmpty && result.status == .canceled {
            // Cancelled before it got a slot: it never ran.
            _ = state.apply(.cancel, to: id)
            await sink.handle(.jobStatus(id: id, status: .canceled, at: Date()))
            await publish(state.propagate())
        } else {
            await sink.handle(.jobFinished(id: id, result: result))
            let changed = state.apply(.finish(result.status), to: id)
            await publish(Array(changed.dropFirst()))
        }
        await publishWorkflows(&state)
    }

    /// Cancels job runs `ids`: running ones are stopped (their results arrive later), the others end now.
    func cancel(_ ids: [Int64], state: inout DriverState, control: PipelineControl) async {
        for id in ids {
            guard let status = state.progress.status(of: id), !status.isFinal else { continue }
            if state.launched.contains(id) {
                control.stop(id)
                continue
            }
            _ = state.apply(.cancel, to: id)
            state.finished.insert(id)
            await sink.handle(.jobStatus(id: id, status: .canceled, at: Date()))
        }
        await publish(state.propagate())
        await publishWorkflows(&state)
    }

    /// Publishes the status of each entry.
    func publish(_ entries: [PipelineProgress.Entry]) async {
        for entry in entries {
            await sink.handle(.jobStatus(id: entry.id, status: entry.status, at: Date()))
        }
    }

    /// Publishes the workflows whose status changed.
    func publishWorkflows(_ state: inout DriverState) async {
        for (index, workflow) in state.detail.workflows.enumerated() {
            let status = state.progress.workflowStatus(index)
            guard status != state.workflowStatuses[index] else { continue }
            state.workflowStatuses[index] = status
            await sink.handle(.workflowStatus(id: workflow.workflow.id, status: status, at: Date()))
        }
    }
}

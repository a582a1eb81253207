// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
package import CIBoxModel
import Foundation

/// Runs one recorded pipeline to its end: starts every job run whose requirements are met when a slot is
/// free, settles dependents, and publishes every change as a ``PipelineEvent``.
///
/// Cancelling the calling task cancels the pipeline: running job runs are stopped, the others end `canceled`.
package struct PipelineDriver: Sendable {
    /// Where job runs run.
    package let executor: any Executor
    /// The slots shared with other pipelines of this process.
    package let slots: SlotPool
    /// Who hears about changes.
    package let sink: any PipelineEventSink

    /// Makes a driver.
    package init(executor: any Executor, slots: SlotPool, sink: any PipelineEventSink) {
        self.executor = executor
        self.slots = slots
        self.sink = sink
    }

    /// Runs `detail` (recorded from `plan`) and returns its final status.
    /// - Parameter makeRequest: builds the executor request for a job run from its row and its plan.
    package func run(
        _ detail: PipelineDetail,
        plan: Plan,
        makeRequest: @escaping @Sendable (Job, JobPlan) -> JobRunRequest
    ) async -> PipelineStatus {
        var progress = PipelineProgress(detail: detail, plan: plan)
        var workflowStatuses = detail.workflows.map { _ in WorkflowStatus.queued }
        await sink.handle(.pipelineStatus(id: detail.pipeline.id, status: .running, at: Date()))
        await publish((try? progress.propagate()) ?? [])
        let jobs = Dictionary(uniqueKeysWithValues: detail.workflows.flatMap(\.jobs).map { ($0.job.id, $0.job) })
        let jobPlans = Self.jobPlans(detail: detail, plan: plan)
        await publishWorkflows(progress, detail: detail, previous: &workflowStatuses)

        await withTaskGroup(of: (Int64, JobResult).self) { group in
            var launched = Set<Int64>()
            while true {
                for id in progress.startable where !launched.contains(id) {
                    guard let job = jobs[id], let jobPlan = jobPlans[id] else { continue }
                    launched.insert(id)
                    let request = makeRequest(job, jobPlan)
                    group.addTask { (id, await runJob(request)) }
                }
                guard let (id, result) = await group.next() else { break }
                _ = try? progress.apply(.start, to: id)
                await sink.handle(.jobFinished(id: id, result: result))
                let changed = (try? progress.apply(.finish(result.status), to: id)) ?? []
                await publish(Array(changed.dropFirst()))
                await publishWorkflows(progress, detail: detail, previous: &workflowStatuses)
            }
        }
        if Task.isCancelled {
            for entry in progress.entries where !entry.status.isFinal {
                _ = try? progress.apply(.cancel, to: entry.id)
                await sink.handle(.jobStatus(id: entry.id, status: .canceled, at: Date()))
            }
        }
        await publishWorkflows(progress, detail: detail, previous: &workflowStatuses)
        let status = progress.pipelineStatus
        await sink.handle(.pipelineStatus(id: detail.pipeline.id, status: status, at: Date()))
        return status
    }

    /// Waits for a slot, runs the job run, and gives the slot back.
    private func runJob(_ request: JobRunRequest) async -> JobResult {
        guard await slots.acquire() else {
            let now = Date()
            return JobResult(status: .canceled, failureReason: .canceled, startedAt: now, finishedAt: now, steps: [])
        }
        await sink.handle(.jobStatus(id: request.jobID, status: .running, at: Date()))
        let result = await executor.run(request, observer: StepEventForwarder(sink: sink))
        await slots.release()
        return result
    }

    private func publish(_ entries: [PipelineProgress.Entry]) async {
        for entry in entries {
            await sink.handle(.jobStatus(id: entry.id, status: entry.status, at: Date()))
        }
    }

    private func publishWorkflows(
        _ progress: PipelineProgress, detail: PipelineDetail, previous: inout [WorkflowStatus]
    ) async {
        for (index, workflow) in detail.workflows.enumerated() {
            let status = progress.workflowStatus(index)
            guard status != previous[index] else { continue }
            previous[index] = status
            await sink.handle(.workflowStatus(id: workflow.workflow.id, status: status, at: Date()))
        }
    }

    /// The plan of each job run, by job run id.
    private static func jobPlans(detail: PipelineDetail, plan: Plan) -> [Int64: JobPlan] {
        var result: [Int64: JobPlan] = [:]
        for workflow in detail.workflows {
            let plans = plan.workflows.first { $0.name == workflow.workflow.name }?.jobs ?? []
            for job in workflow.jobs {
                result[job.job.id] = plans.first { $0.name == job.job.name }
            }
        }
        return result
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxScheduler
import Foundation
import Synchronization
import Testing

/// An executor whose job runs end with a status the state machine does not allow as an end (`queued`), or succeed.
private struct BrokenExecutor: Executor {
    let brokenJob: String

    func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        if request.jobName != brokenJob {
            // The others take a moment, so that the broken one ends first and they are stopped.
            try? await Task.sleep(for: .seconds(30))
        }
        let now = Date()
        let status: JobStatus = Task.isCancelled ? .canceled : (request.jobName == brokenJob ? .queued : .success)
        return JobResult(status: status, startedAt: now, finishedAt: now, steps: [])
    }
}

/// Keeps every event.
private final class RecordingSink: PipelineEventSink {
    let events = Mutex<[PipelineEvent]>([])

    func handle(_ event: PipelineEvent) async {
        events.withLock { $0.append(event) }
    }
}

@Suite struct PipelineDriverFaultTests {
    static func pipeline(jobs: [String]) -> (PipelineDetail, Plan) {
        let details = jobs.enumerated().map { position, name in
            JobDetail(
                job: Job(
                    id: Int64(position + 1), workflowID: 1, pipelineID: 1, name: name, position: position,
                    nodeIndex: 0, parallelism: 1, attempt: 1, status: .queued, executor: "shell", resourceClass: nil),
                steps: [])
        }
        let pipeline = Pipeline(
            id: 1, projectID: 1, projectName: "p", number: 1, uuid: "u", revision: "r", treeID: "t", branch: "main",
            tag: nil, trigger: .manual, source: .commit, status: .queued, configHash: "h", createdAt: Date())
        let workflow = Workflow(id: 1, pipelineID: 1, name: "w", position: 0, status: .queued)
        let plans = jobs.map {
            JobPlan(name: $0, requires: [], kind: .build, spec: JobSpec(definitionName: $0, steps: []))
        }
        return (
            PipelineDetail(pipeline: pipeline, workflows: [WorkflowDetail(workflow: workflow, jobs: details)]),
            Plan(version: "2.1", workflows: [WorkflowPlan(name: "w", jobs: plans)])
        )
    }

    @Test func anIllegalTransitionEndsThePipelineAsErrorWithItsCause() async throws {
        let (detail, plan) = Self.pipeline(jobs: ["broken", "slow"])
        let sink = RecordingSink()
        let driver = PipelineDriver(
            executor: BrokenExecutor(brokenJob: "broken"),
            slots: SlotPool(capacity: Capacity(millicores: 8000, memoryBytes: 1 << 34)), sink: sink)
        let status = await driver.run(detail, plan: plan) { job, jobPlan in
            JobRunRequest(
                jobID: job.id, jobName: job.name, workflowID: 1, workflowName: "w", pipelineID: 1, pipelineNumber: 1,
                projectName: "p", repositoryPath: "/nowhere", revision: "r", branch: "main", tag: nil, nodeIndex: 0,
                parallelism: 1, spec: jobPlan.spec ?? JobSpec(definitionName: job.name, steps: []),
                workDirectory: "/nowhere", logDirectory: "/nowhere", source: NoCheckout(), inheritedEnvironment: [:])
        }
        #expect(status == .error)
        let events = sink.events.withLock { $0 }
        let messages = events.compactMap { event -> String? in
            if case .pipelineFailed(_, let message, _) = event { return message }
            return nil
        }
        #expect(
            messages == [
                "cibox stopped the pipeline: internal error: illegal job transition from 'running' on "
                    + "finish(CIBoxModel.JobStatus.queued) (this is a bug in cibox; please report it)"
            ])
        #expect(events.last == .pipelineStatus(id: 1, status: .error, at: lastDate(events)))
        // The other job run was stopped and ended canceled.
        #expect(events.contains { isCanceled(2, $0) })
    }
}

private struct NoCheckout: SourceCheckout {
    func checkout(into directory: String) throws -> String { "" }
}

private func lastDate(_ events: [PipelineEvent]) -> Date {
    if case .pipelineStatus(_, _, let date)? = events.last { return date }
    return .distantPast
}

private func isCanceled(_ id: Int64, _ event: PipelineEvent) -> Bool {
    switch event {
    case .jobFinished(let jobID, let result): jobID == id && result.status == .canceled
    case .jobStatus(let jobID, let status, _): jobID == id && status == .canceled
    default: false
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxScheduler
import Foundation
import Testing

/// Builds a recorded pipeline and its plan from a compact description of one workflow.
private func makeProgress(
    _ jobs: [(name: String, requires: [Requirement], kind: JobKind, parallelism: Int)]
) -> (PipelineProgress, [String: [Int64]]) {
    var nextID: Int64 = 1
    var ids: [String: [Int64]] = [:]
    var details: [JobDetail] = []
    var plans: [JobPlan] = []
    for (position, job) in jobs.enumerated() {
        let spec = job.kind == .build ? JobSpec(definitionName: job.name, parallelism: job.parallelism, steps: []) : nil
        plans.append(JobPlan(name: job.name, requires: job.requires, kind: job.kind, spec: spec))
        for node in 0..<job.parallelism {
            let status: JobStatus = job.requires.isEmpty ? .queued : .blocked
            details.append(
                JobDetail(
                    job: Job(
                        id: nextID, workflowID: 1, pipelineID: 1, name: job.name, position: position, nodeIndex: node,
                        parallelism: job.parallelism, attempt: 1, status: status, executor: "shell", resourceClass: nil
                    ), steps: []))
            ids[job.name, default: []].append(nextID)
            nextID += 1
        }
    }
    let pipeline = Pipeline(
        id: 1, projectID: 1, projectName: "p", number: 1, uuid: "u", revision: "r", treeID: "t", branch: "main",
        tag: nil, trigger: .manual, source: .commit, status: .queued, configHash: "h", createdAt: Date()
    )
    let workflow = Workflow(id: 1, pipelineID: 1, name: "w", position: 0, status: .queued)
    let detail = PipelineDetail(pipeline: pipeline, workflows: [WorkflowDetail(workflow: workflow, jobs: details)])
    let plan = Plan(version: "2.1", workflows: [WorkflowPlan(name: "w", jobs: plans)])
    var progress = PipelineProgress(detail: detail, plan: plan)
    _ = try? progress.propagate()
    return (progress, ids)
}

@Suite struct PipelineProgressTests {
    @Test func fanOutThenFanIn() throws {
        var (progress, ids) = makeProgress([
            ("build", [], .build, 1),
            ("lint", [Requirement(job: "build")], .build, 1),
            ("test", [Requirement(job: "build")], .build, 1),
            ("deploy", [Requirement(job: "lint"), Requirement(job: "test")], .build, 1),
        ])
        #expect(progress.startable == ids["build"])
        try progress.apply(.start, to: ids["build"]![0])
        try progress.apply(.finish(.success), to: ids["build"]![0])
        #expect(progress.startable == ids["lint"]! + ids["test"]!)
        for name in ["lint", "test"] {
            try progress.apply(.start, to: ids[name]![0])
            try progress.apply(.finish(.success), to: ids[name]![0])
        }
        #expect(progress.startable == ids["deploy"])
        try progress.apply(.start, to: ids["deploy"]![0])
        #expect(progress.pipelineStatus == .running)
        try progress.apply(.finish(.success), to: ids["deploy"]![0])
        #expect(progress.pipelineStatus == .success)
    }

    @Test func failedRequirementMarksDependentsNotRunTransitively() throws {
        var (progress, ids) = makeProgress([
            ("build", [], .build, 1),
            ("test", [Requirement(job: "build")], .build, 1),
            ("deploy", [Requirement(job: "test")], .build, 1),
        ])
        try progress.apply(.start, to: ids["build"]![0])
        let changed = try progress.apply(.finish(.failed), to: ids["build"]![0])
        #expect(changed.map(\.status) == [.failed, .notRun, .notRun])
        #expect(progress.workflowStatus(0) == .failed)
        #expect(progress.pipelineStatus == .failed)
        #expect(progress.isSettled)
    }

    @Test func statusRequirementRunsOnFailure() throws {
        var (progress, ids) = makeProgress([
            ("test", [], .build, 1),
            ("report", [Requirement(job: "test", statuses: [.failed])], .build, 1),
            ("deploy", [Requirement(job: "test")], .build, 1),
        ])
        try progress.apply(.start, to: ids["test"]![0])
        try progress.apply(.finish(.failed), to: ids["test"]![0])
        #expect(progress.startable == ids["report"])
        #expect(progress.status(of: ids["deploy"]![0]) == .notRun)
    }

    @Test func parallelJobCountsAsOneRequirement() throws {
        var (progress, ids) = makeProgress([
            ("test", [], .build, 3),
            ("deploy", [Requirement(job: "test")], .build, 1),
        ])
        #expect(progress.startable == ids["test"])
        let runs = ids["test"]!
        for (position, id) in runs.enumerated() {
            try progress.apply(.start, to: id)
            try progress.apply(.finish(.success), to: id)
            let expected = position == 2 ? ids["deploy"]! : Array(runs[(position + 1)...])
            #expect(progress.startable == expected)
        }
    }

    @Test func approvalHoldsTheWorkflow() throws {
        var (progress, ids) = makeProgress([
            ("build", [], .build, 1),
            ("hold", [Requirement(job: "build")], .approval, 1),
            ("deploy", [Requirement(job: "hold")], .build, 1),
        ])
        try progress.apply(.start, to: ids["build"]![0])
        try progress.apply(.finish(.success), to: ids["build"]![0])
        #expect(progress.status(of: ids["hold"]![0]) == .onHold)
        #expect(progress.startable.isEmpty)
        #expect(progress.pipelineStatus == .onHold)
        try progress.apply(.approve, to: ids["hold"]![0])
        #expect(progress.startable == ids["deploy"])
    }

    @Test func combinedStatusOfParallelRuns() {
        #expect(PipelineProgress.combined([.success, .success]) == .success)
        #expect(PipelineProgress.combined([.success, .failed]) == .failed)
        #expect(PipelineProgress.combined([.canceled, .success]) == .canceled)
        #expect(PipelineProgress.combined([.interrupted]) == .failed)
    }
}

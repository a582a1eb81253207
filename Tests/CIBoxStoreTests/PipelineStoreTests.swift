// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct PipelineStoreTests {
    static func samplePlan() -> Plan {
        let build = JobSpec(
            definitionName: "build",
            steps: [
                StepPlan(name: "Checkout code", action: .checkout(path: nil)),
                StepPlan(name: "make", action: .run(RunAction(command: "make"))),
            ])
        let test = JobSpec(
            definitionName: "test", parallelism: 2,
            steps: [
                StepPlan(name: "test", action: .run(RunAction(command: "make test")))
            ])
        return Plan(
            version: "2.1",
            workflows: [
                WorkflowPlan(
                    name: "ci",
                    jobs: [
                        JobPlan(name: "build", spec: build),
                        JobPlan(name: "test", requires: [Requirement(job: "build")], spec: test),
                    ])
            ])
    }

    static func newPipeline(projectID: Int64, number: Int) -> NewPipeline {
        NewPipeline(
            projectID: projectID, number: number, uuid: UUID().uuidString, revision: String(repeating: "a", count: 40),
            treeID: String(repeating: "b", count: 40), branch: "main", tag: nil, trigger: .manual, source: .commit,
            configHash: "hash", plan: samplePlan()
        )
    }

    @Test func recordsPipelineWithWorkflowsJobRunsAndSteps() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 1)
        let detail = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        #expect(detail.pipeline.number == 1)
        #expect(detail.pipeline.status == .queued)
        #expect(detail.pipeline.projectName == "app")
        let jobs = detail.workflows[0].jobs
        #expect(jobs.map(\.job.name) == ["build", "test", "test"])
        #expect(jobs.map(\.job.status) == [.queued, .blocked, .blocked])
        #expect(jobs.map(\.job.nodeIndex) == [0, 0, 1])
        #expect(jobs.map(\.job.parallelism) == [1, 2, 2])
        #expect(jobs[0].steps.map(\.name) == ["Checkout code", "make"])
        #expect(jobs[0].steps.allSatisfy { $0.status == .queued })
        #expect(try store.pipelines.plan(pipelineID: detail.pipeline.id) == Self.samplePlan())
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 2)
    }

    @Test func aRecordedPipelineIsOwnedAtOnceSoRecoveryLeavesItAlone() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let detail = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        // Between recording and running (claim), a daemon starting must not mark it interrupted.
        #expect(try store.recovery.orphanedPipelines().isEmpty)
        try store.recovery.claim(pipelineID: detail.pipeline.id, owner: ProcessIdentity(pid: Int32.max, startTime: 1))
        #expect(try store.recovery.orphanedPipelines() == [detail.pipeline.id])
    }

    @Test func takenNumberIsAConflict() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        _ = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        #expect(throws: StoreError.self) {
            try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        }
        do {
            _ = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        } catch {
            #expect(error.code == .conflict)
        }
    }

    @Test func updatesAreReadBack() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let detail = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        let job = detail.workflows[0].jobs[0].job
        let start = Date(timeIntervalSince1970: 1_000)
        let end = Date(timeIntervalSince1970: 1_010)
        try store.pipelines.setPipeline(detail.pipeline.id, status: .running, startedAt: start)
        try store.jobs.setJob(job.id, status: .running, startedAt: start)
        try store.jobs.startStep(jobID: job.id, index: 0, at: start)
        try store.jobs.finishStep(jobID: job.id, index: 0, status: .success, exitCode: 0, logBytes: 42, finishedAt: end)
        try store.jobs.finishStep(jobID: job.id, index: 1, status: .failed, exitCode: 3, logBytes: 7, finishedAt: end)
        try store.jobs.finishJob(
            job.id, status: .failed, exitCode: 3, failureReason: .exitCode, failureMessage: nil, startedAt: nil,
            finishedAt: end
        )
        try store.pipelines.setPipeline(detail.pipeline.id, status: .failed, finishedAt: end)
        let read = try #require(try store.history.pipelineDetail(id: detail.pipeline.id))
        #expect(read.pipeline.status == .failed)
        #expect(read.pipeline.startedAt == start)
        #expect(read.pipeline.finishedAt == end)
        let readJob = read.workflows[0].jobs[0]
        #expect(readJob.job.status == .failed)
        #expect(readJob.job.exitCode == 3)
        #expect(readJob.job.failureReason == .exitCode)
        #expect(readJob.job.startedAt == start)
        #expect(readJob.steps.map(\.status) == [.success, .failed])
        #expect(readJob.steps.map(\.logBytes) == [42, 7])
        #expect(readJob.steps[0].startedAt == start)
    }

    @Test func projectsAreUniqueByPathAndName() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let first = try store.projects.project(path: "/a/app", name: "app")
        let again = try store.projects.project(path: "/a/app", name: "other")
        let second = try store.projects.project(path: "/b/app", name: "app")
        #expect(first.id == again.id)
        #expect(second.name == "app-2")
        #expect(try store.projects.projects().map(\.name) == ["app", "app-2"])
    }

    @Test func reopeningKeepsHistoryAndUsesWAL() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        do {
            let store = try PipelineStore(home: home.path)
            let project = try store.projects.project(path: "/srv/app", name: "app")
            _ = try store.pipelines.record(Self.newPipeline(projectID: project.id, number: 1))
        }
        let store = try PipelineStore(home: home.path)
        #expect(try store.history.pipelines().count == 1)
        #expect(FileManager.default.fileExists(atPath: home.appending("cibox.sqlite-wal")))
        #expect(store.logPath(jobID: 7, step: 2) == home.path + "/logs/7/2.log")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ReattachStoreTests {
    @Test func clusterJobsGoBackToQueuedWithTheirReferenceAndTheOthersAreInterrupted() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        var plan = PipelineStoreTests.samplePlan()
        plan.workflows[0].jobs[1].requires = []
        var new = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        new.plan = plan
        let detail = try store.pipelines.record(new)
        let ids = detail.workflows[0].jobs.map(\.job.id)
        let started = Date(timeIntervalSince1970: 1_000)
        for id in ids { try store.jobs.setJob(id, status: .running, startedAt: started) }
        try store.jobs.startStep(jobID: ids[1], index: 0, at: started)
        try store.recovery.setExecutorReference(jobID: ids[0], reference: "slurm:41")
        #expect(
            try store.recovery.runningJobs(pipelineID: detail.pipeline.id) == [
                RunningJobReference(jobID: ids[0], reference: "slurm:41"),
                RunningJobReference(jobID: ids[1], reference: nil), RunningJobReference(jobID: ids[2], reference: nil),
            ])
        // Job 3 was found on the cluster by its name: its reference is recorded now.
        let interrupted = try store.recovery.prepareReattach(
            pipelineID: detail.pipeline.id, reattaching: [ids[0]: "slurm:41", ids[2]: "slurm:42"])
        #expect(interrupted == [ids[1]])
        let jobs = try #require(try store.history.pipelineDetail(id: detail.pipeline.id)).workflows[0].jobs
        #expect(jobs.map(\.job.status) == [.queued, .interrupted, .queued])
        #expect(jobs.map(\.job.executorReference) == ["slurm:41", nil, "slurm:42"])
        #expect(jobs[0].job.startedAt == started)
        #expect(jobs[1].job.failureReason == .interrupted)
        #expect(jobs[1].steps[0].status == .interrupted)
        #expect(try store.history.pipelineDetail(id: detail.pipeline.id)?.pipeline.status == .queued)
    }
}

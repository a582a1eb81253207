// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxEngine
import CIBoxExecutor
import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

/// Runs every step as passed, saying that the job `inImage` ran in `image` and any other job on the host.
private struct ImageReportingExecutor: Executor {
    let inImage: String
    let image: JobImage

    func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        let start = Date()
        var steps: [StepResult] = []
        for index in request.spec.steps.indices {
            await observer.stepStarted(jobID: request.jobID, index: index, at: start)
            let step = StepResult(status: .success, exitCode: 0, startedAt: start, finishedAt: Date())
            await observer.stepFinished(jobID: request.jobID, index: index, result: step)
            steps.append(step)
        }
        var result = JobResult(status: .success, startedAt: start, finishedAt: Date(), steps: steps)
        if request.jobName == inImage { result.image = image }
        return result
    }
}

@Suite struct JobImageRecordingTests {
    static let config = """
        version: 2.1
        jobs:
          node:
            docker: [{image: "node:20"}]
            steps: [{run: node --version}]
          host:
            machine: true
            steps: [{run: uname}]
        workflows:
          ci:
            jobs: [node, host]
        """

    @Test func theEngineRecordsTheImageAJobRanIn() async throws {
        let home = try TemporaryDirectory()
        let repo = try await GitFixture()
        defer { home.remove(); repo.remove() }
        try repo.write(Self.config, to: ".circleci/config.yml")
        try await repo.commitAll()
        let store = try PipelineStore(home: home.path)
        let image = JobImage(
            reference: "docker.io/library/node:20", digest: "sha256:" + String(repeating: "5e", count: 32))
        let engine = PipelineEngine(
            home: home.path, store: store, executor: ImageReportingExecutor(inImage: "node", image: image))
        let prepared = try engine.prepare(RunOptions(path: repo.path))
        #expect(try await engine.run(prepared) == .success)

        let detail = try #require(try store.history.pipelineDetail(id: prepared.detail.pipeline.id))
        let jobs = detail.workflows[0].jobs.map(\.job)
        #expect(jobs.map(\.name) == ["node", "host"])
        #expect(jobs.map(\.image) == [image, nil])
        #expect(try store.history.jobDetail(id: jobs[0].id)?.job.image == image)
    }
}

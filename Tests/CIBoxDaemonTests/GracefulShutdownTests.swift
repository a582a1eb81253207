// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDaemon
import CIBoxEngine
import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// A graceful shutdown of the daemon awaits the pipelines it runs, those resumed at start included.
@Suite struct GracefulShutdownTests {
    let home: TemporaryDirectory
    let repository: GitFixture

    init() async throws {
        home = try TemporaryDirectory(prefix: "cibox-daemon")
        repository = try await GitFixture()
    }

    /// A recorded one-job pipeline running `command`, read back as the daemon resumes one after a crash.
    func resumedPipeline(_ command: String, engine: PipelineEngine) async throws -> PreparedPipeline {
        let config = """
            version: 2.1
            jobs:
              build:
                docker: [{image: cimg/base:current}]
                steps:
                  - run: \(command)
            workflows:
              ci: {jobs: [build]}
            """
        try repository.write(config, to: ".circleci/config.yml")
        try await repository.commitAll()
        let recorded = try engine.prepare(RunOptions(path: repository.path))
        return try engine.resume(pipelineID: recorded.detail.pipeline.id)
    }

    /// Runs the daemon's pipeline service with `initial`, asks it to stop gracefully once the job runs, and returns
    /// the pipeline as stored after the service returned.
    func stopWhileRunning(_ prepared: PreparedPipeline, engine: PipelineEngine, gracePeriod: Double) async throws
        -> PipelineDetail
    {
        let logger = Logger(label: "cibox.test")
        let service = PipelineService(
            engine: engine, logger: logger, gracePeriod: gracePeriod, pollInterval: 60, autoCancel: { _ in false },
            onFinished: { _ in }, initial: [prepared])
        let group = ServiceGroup(services: [service], logger: logger)
        let id = prepared.detail.pipeline.id
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let started = ContinuousClock.now
            while try engine.store.history.pipelineDetail(id: id)?.workflows.first?.jobs.first?.job.status != .running {
                try #require(ContinuousClock.now - started < .seconds(30), "the job never started")
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return try #require(try engine.store.history.pipelineDetail(id: id))
    }

    @Test func aResumedPipelineIsAwaitedToItsEnd() async throws {
        defer {
            home.remove()
            repository.remove()
        }
        let store = try PipelineStore(home: home.path)
        let engine = PipelineEngine(home: home.path, store: store)
        let prepared = try await resumedPipeline("sleep 1; echo finished", engine: engine)
        let detail = try await stopWhileRunning(prepared, engine: engine, gracePeriod: 60)
        // The shutdown waited: the job ran to its end and passed.
        #expect(detail.pipeline.status == .success)
        #expect(detail.workflows.first?.jobs.first?.job.status == .success)
    }

    @Test func pastTheGracePeriodItIsStoppedAndRecordedInterrupted() async throws {
        defer {
            home.remove()
            repository.remove()
        }
        let store = try PipelineStore(home: home.path)
        let engine = PipelineEngine(home: home.path, store: store)
        let prepared = try await resumedPipeline("sleep 60", engine: engine)
        let detail = try await stopWhileRunning(prepared, engine: engine, gracePeriod: 0.3)
        // The service returned only once the job had been stopped and recorded.
        #expect(detail.workflows.first?.jobs.first?.job.status == .interrupted)
        #expect(detail.pipeline.status.isFinal)
    }
}

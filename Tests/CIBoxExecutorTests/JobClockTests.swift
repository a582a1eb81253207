// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

/// Timeouts and time limits are measured on the monotonic clock the executor is given, never on the wall clock.
@Suite struct JobClockTests {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-clock")
    }

    func request(_ command: String, timeLimit: Double = 5 * 3600) -> JobRunRequest {
        var request = JobRunRequest(
            jobID: 9, jobName: "build", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 5,
            projectName: "app", repositoryPath: "/srv/app", revision: String(repeating: "c", count: 40), branch: "main",
            tag: nil, nodeIndex: 0, parallelism: 1,
            spec: JobSpec(
                definitionName: "build", steps: [StepPlan(name: "step", action: .run(RunAction(command: command)))]),
            workDirectory: home.appending("work/9"), logDirectory: home.appending("logs/9"), source: FakeCheckout(),
            inheritedEnvironment: ProcessInfo.processInfo.environment
        )
        request.timeLimit = timeLimit
        request.killGrace = 0.2
        return request
    }

    /// Starts `request`, waits until its step runs, calls `whileRunning`, and returns the job's result.
    func run(
        _ request: JobRunRequest, clocks: Clocks, whileRunning: @escaping @Sendable () -> Void
    ) async throws -> JobResult {
        let observer = RecordingObserver()
        let job = Task { await LocalExecutor(clocks: clocks).run(request, observer: observer) }
        let started = ContinuousClock.now
        while !observer.events.withLock({ $0.contains("start 0") }) {
            try #require(ContinuousClock.now - started < .seconds(90), "the step never started")
            try await Task.sleep(for: .milliseconds(10))
        }
        // The step's monitor reads the clock when it starts watching: let it begin before moving time.
        try await Task.sleep(for: .milliseconds(200))
        whileRunning()
        return await job.value
    }

    // Ten minutes of the job's time pass at once: with the machine's clock the test would run past its limit.
    @Test(.timeLimit(.minutes(3))) func noOutputTimeoutFiresWhenTheTestClockPassesIt() async throws {
        defer { home.remove() }
        let clock = ManualClock()
        let result = try await run(request("sleep 60"), clocks: ManualWallClock().clocks(monotonic: clock)) {
            clock.advance(by: .seconds(601))
        }
        #expect(result.status == .failed)
        #expect(result.failureReason == .noOutputTimeout)
    }

    @Test(.timeLimit(.minutes(3))) func theJobTimeLimitIsMeasuredOnTheTestClock() async throws {
        defer { home.remove() }
        let clock = ManualClock()
        var request = request("sleep 60", timeLimit: 3600)
        request.noOutputTimeout = 7200
        let result = try await run(request, clocks: ManualWallClock().clocks(monotonic: clock)) {
            clock.advance(by: .seconds(3601))
        }
        #expect(result.failureReason == .timeout)
    }

    @Test func aWallClockJumpForwardKillsNothing() async throws {
        defer { home.remove() }
        let wall = ManualWallClock()
        let before = wall.now
        // A one-minute time limit and no_output_timeout; the wall clock jumps ten hours while the step runs. The step
        // ends only after the jump (a loaded machine once let a half-second step end before it).
        let jumped = home.appending("work/9/jumped")
        var request = request("until [ -e '\(jumped)' ]; do sleep 0.05; done; echo done", timeLimit: 60)
        request.noOutputTimeout = 60
        let result = try await run(request, clocks: wall.clocks(monotonic: ContinuousClock())) {
            wall.jump(by: 10 * 3600)
            _ = FileManager.default.createFile(atPath: jumped, contents: nil)
        }
        #expect(result.status == .success)
        #expect(result.failureReason == nil)
        // Timestamps are the wall clock's, which people read: the job "ended" after the jump.
        #expect(result.startedAt == before)
        #expect(result.finishedAt.timeIntervalSince(before) >= 10 * 3600)
    }

    @Test func aWallClockJumpBackDoesNotCancelTheTimeout() async throws {
        defer { home.remove() }
        let wall = ManualWallClock()
        let clock = ManualClock()
        let result = try await run(request("sleep 60"), clocks: wall.clocks(monotonic: clock)) {
            wall.jump(by: -10 * 3600)
            clock.advance(by: .seconds(601))
        }
        #expect(result.failureReason == .noOutputTimeout)
    }
}

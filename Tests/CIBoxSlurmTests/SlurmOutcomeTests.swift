// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxSlurm
import Foundation
import Testing

@Suite struct SlurmOutcomeTests {
    static let start = Date(timeIntervalSince1970: 1_000)
    static let now = Date(timeIntervalSince1970: 1_060)
    static let limits = ResourceLimits(millicores: 1000, memoryBytes: 128 * 1_048_576)

    static func outcome(
        agent: JobResult? = nil, steps: [Int: StepResult] = [:], started: [Int: Date] = [:], state: String?,
        canceledByCibox: Bool = false, tail: String? = nil
    ) -> SlurmOutcome {
        SlurmOutcome(
            stepCount: 3, agentResult: agent, steps: steps, started: started, state: state.map { SlurmJobState($0) },
            canceledByCibox: canceledByCibox, slurmJobID: "77", limits: limits, resourceClass: "tiny",
            folder: "/shared/jobs/x-1", outputTail: tail, submittedAt: start)
    }

    static func agentResult(_ status: JobStatus, reason: FailureReason? = nil, exitCode: Int? = nil) -> JobResult {
        let steps = [
            StepResult(status: .success, exitCode: 0), StepResult(status: status == .success ? .success : .failed),
            StepResult(status: .notRun),
        ]
        return JobResult(
            status: status, exitCode: exitCode, failureReason: reason, startedAt: start, finishedAt: now, steps: steps)
    }

    @Test func theAgentsResultStandsAndGetsTheSlurmLabels() {
        let result = Self.outcome(agent: Self.agentResult(.success), state: "COMPLETED").result(now: Self.now)
        #expect(result.status == .success)
        #expect(result.isolation == .slurm)
        #expect(result.limits == Self.limits)
        #expect(result.resourceClass == "tiny")
    }

    @Test func aFailedJobThatSlurmEndedOutOfMemoryIsOOM() {
        let agent = Self.agentResult(.failed, reason: .exitCode, exitCode: 137)
        let result = Self.outcome(agent: agent, state: "OUT_OF_MEMORY").result(now: Self.now)
        #expect(result.status == .failed)
        #expect(result.failureReason == .oom)
        #expect(result.exitCode == 137)
        #expect(
            result.failureMessage
                == "Out of memory: the job used more than its memory limit of 128 MiB (resource_class tiny) and Slurm job 77 was ended OUT_OF_MEMORY. Use a larger resource_class or use less memory."
        )
    }

    @Test func passedStepsStayPassedWhateverSlurmSaysAfterwards() {
        let result = Self.outcome(agent: Self.agentResult(.success), state: "OUT_OF_MEMORY").result(now: Self.now)
        #expect(result.status == .success)
        #expect(result.failureReason == nil)
    }

    @Test func anAgentThatSlurmKilledForMemoryLeavesItsStepsAndTheRunningOneFails() {
        let outcome = Self.outcome(
            steps: [0: StepResult(status: .success, exitCode: 0)], started: [0: Self.start, 1: Self.start],
            state: "OUT_OF_MEMORY")
        let result = outcome.result(now: Self.now)
        #expect(result.status == .failed)
        #expect(result.failureReason == .oom)
        #expect(result.steps.map(\.status) == [.success, .failed, .notRun])
        #expect(result.steps[1].failureReason == .oom)
        #expect(result.startedAt == Self.start)
    }

    @Test func timeLimitIsTimeout() {
        let result = Self.outcome(started: [0: Self.start], state: "TIMEOUT").result(now: Self.now)
        #expect(result.failureReason == .timeout)
        #expect(result.failureMessage == "Slurm job 77 reached its time limit and Slurm ended it (TIMEOUT).")
    }

    @Test func cancelByCiboxIsCanceledWithoutAMessageEvenWhenTheStepDiedOfTheSignal() {
        let pending = Self.outcome(state: "CANCELLED", canceledByCibox: true).result(now: Self.now)
        #expect(pending.status == .canceled)
        #expect(pending.failureReason == .canceled)
        #expect(pending.failureMessage == nil)
        #expect(pending.steps.map(\.status) == [.notRun, .notRun, .notRun])
        #expect(pending.startedAt == Self.start)
        let agent = Self.agentResult(.failed, reason: .exitCode, exitCode: 143)
        let running = Self.outcome(agent: agent, state: "CANCELLED", canceledByCibox: true).result(now: Self.now)
        #expect(running.status == .canceled)
        #expect(running.failureReason == .canceled)
    }

    @Test func aCancelFromOutsideSaysSo() {
        let result = Self.outcome(started: [0: Self.start], state: "CANCELLED").result(now: Self.now)
        #expect(result.status == .canceled)
        #expect(result.steps[0].status == .canceled)
        #expect(
            result.failureMessage == "Slurm job 77 was canceled outside cibox (scancel or an administrator).")
    }

    @Test func aLostAgentIsInfrastructureAndQuotesItsOutput() {
        let failed = Self.outcome(state: "NODE_FAIL", tail: "cibox: error").result(now: Self.now)
        #expect(failed.failureReason == .infrastructure)
        #expect(
            failed.failureMessage
                == "Slurm job 77 ended NODE_FAIL without a result from cibox's agent in '/shared/jobs/x-1'. Its output (slurm.out) ends with:\ncibox: error"
        )
        let forgotten = Self.outcome(state: nil).result(now: Self.now)
        #expect(
            forgotten.failureMessage
                == "Slurm job 77 is no longer known to Slurm without a result from cibox's agent in '/shared/jobs/x-1'."
        )
        let completed = Self.outcome(state: "COMPLETED").result(now: Self.now)
        #expect(completed.failureReason == .infrastructure)
    }
}

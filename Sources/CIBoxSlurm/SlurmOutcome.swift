// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
import CIBoxModel
package import Foundation

/// How a job run on Slurm ended, put together from what the agent wrote and what Slurm says: a pure function, so
/// that every combination is tested without a cluster.
///
/// The agent's result is the truth about the steps (it ran them as the local runner does). Slurm's final state
/// adds what the agent could not say because Slurm stopped it: `OUT_OF_MEMORY` → `oom`, `TIMEOUT` → `timeout`,
/// `CANCELLED` → `canceled`, and node failures → `infrastructure`.
package struct SlurmOutcome: Sendable {
    /// The number of steps of the job.
    package var stepCount: Int
    /// The agent's result, when it wrote one.
    package var agentResult: JobResult?
    /// The step results the agent wrote, by index.
    package var steps: [Int: StepResult]
    /// When each step the agent started began, by index.
    package var started: [Int: Date]
    /// Slurm's final state; nil when Slurm no longer knows the job.
    package var state: SlurmJobState?
    /// Whether cibox canceled the job (cancel, Ctrl-C, shutdown).
    package var canceledByCibox: Bool
    /// The Slurm job's id.
    package var slurmJobID: String
    /// The job run's limits and resource class (for messages and the result).
    package var limits: ResourceLimits?
    package var resourceClass: String
    /// The job run's folder (named in messages about a lost agent).
    package var folder: String
    /// The last lines of the agent's own output (`slurm.out`).
    package var outputTail: String?
    /// When cibox submitted it (the start, when no step ever started).
    package var submittedAt: Date

    /// Makes an outcome.
    package init(
        stepCount: Int, agentResult: JobResult?, steps: [Int: StepResult], started: [Int: Date],
        state: SlurmJobState?, canceledByCibox: Bool, slurmJobID: String, limits: ResourceLimits?,
        resourceClass: String, folder: String, outputTail: String?, submittedAt: Date
    ) {
        self.stepCount = stepCount
        self.agentResult = agentResult
        self.steps = steps
        self.started = started
        self.state = state
        self.canceledByCibox = canceledByCibox
        self.slurmJobID = slurmJobID
        self.limits = limits
        self.resourceClass = resourceClass
        self.folder = folder
        self.outputTail = outputTail
        self.submittedAt = submittedAt
    }

    /// The job run's result, every step included, ended at `now`.
    package func result(now: Date) -> JobResult {
        var result = agentResult.map(amended) ?? lost(now: now)
        result.isolation = .slurm
        result.limits = limits
        result.resourceClass = resourceClass
        return result
    }

    /// The agent's result with what Slurm adds: a failed job that Slurm ended for memory or time gets that reason,
    /// one that cibox or Slurm canceled is `canceled`. A job whose steps all passed stays passed (an orphan killed
    /// for memory after the steps is no failure of the job, as on the local executor).
    private func amended(_ agent: JobResult) -> JobResult {
        var result = agent
        guard agent.status != .success else { return result }
        let reason = state?.failureReason
        if canceledByCibox || reason == .canceled {
            result.status = .canceled
            result.failureReason = .canceled
            if agent.failureReason != .canceled { result.failureMessage = canceledMessage }
        } else if let reason, reason == .oom || reason == .timeout, agent.failureReason != reason {
            result.status = .failed
            result.failureReason = reason
            result.failureMessage = message(for: reason)
        }
        return result
    }

    /// The result of a job whose agent wrote none: Slurm stopped it (memory, time, cancel) or lost it.
    private func lost(now: Date) -> JobResult {
        let reason: FailureReason =
            canceledByCibox ? .canceled : state?.failureReason ?? .infrastructure
        var results: [StepResult] = []
        for index in 0..<stepCount {
            if let done = steps[index] {
                results.append(done)
            } else if let start = started[index] {
                results.append(
                    StepResult(
                        status: reason == .canceled ? .canceled : .failed, failureReason: reason, startedAt: start,
                        finishedAt: now))
            } else {
                results.append(StepResult(status: .notRun))
            }
        }
        let failing = results.first { $0.status == .failed || $0.status == .canceled }
        return JobResult(
            status: reason == .canceled ? .canceled : .failed, exitCode: failing?.exitCode, failureReason: reason,
            failureMessage: reason == .canceled && canceledByCibox ? nil : message(for: reason),
            startedAt: started.values.min() ?? submittedAt, finishedAt: now, steps: results
        )
    }

    /// What to tell the user when Slurm ended the job for `reason`.
    private func message(for reason: FailureReason) -> String {
        let job = "Slurm job \(slurmJobID)"
        switch reason {
        case .oom:
            let limit = limits.map { ByteCount.format($0.memoryBytes) } ?? "unknown"
            return
                "Out of memory: the job used more than its memory limit of \(limit) (resource_class \(resourceClass)) "
                + "and \(job) was ended OUT_OF_MEMORY. Use a larger resource_class or use less memory."
        case .timeout:
            return "\(job) reached its time limit and Slurm ended it (\(state?.name ?? "TIMEOUT"))."
        case .canceled:
            return canceledMessage
        default:
            let said = state.map { "ended \($0.description)" } ?? "is no longer known to Slurm"
            var text = "\(job) \(said) without a result from cibox's agent in '\(folder)'."
            if let outputTail { text += " Its output (slurm.out) ends with:\n" + outputTail }
            return text
        }
    }

    private var canceledMessage: String {
        canceledByCibox
            ? "Canceled." : "Slurm job \(slurmJobID) was canceled outside cibox (scancel or an administrator)."
    }
}

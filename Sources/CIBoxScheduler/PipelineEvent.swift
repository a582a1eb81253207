// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
package import CIBoxModel
package import Foundation

/// Something that happened to a running pipeline. The scheduler publishes these; the store and the
/// terminal (and later the report) subscribe. The scheduler never calls them directly.
package enum PipelineEvent: Sendable, Equatable {
    case pipelineStatus(id: Int64, status: PipelineStatus, at: Date)
    /// cibox itself could not run the pipeline on (a broken invariant of the scheduler): its jobs were stopped and
    /// it ends `error`; `message` says why (stored with the pipeline and shown).
    case pipelineFailed(id: Int64, message: String, at: Date)
    case workflowStatus(id: Int64, status: WorkflowStatus, at: Date)
    /// A job run's status changed without finishing (queued, blocked, running, on hold) or it was settled
    /// without running (not run, canceled before it started).
    case jobStatus(id: Int64, status: JobStatus, at: Date)
    /// A job run ended after it ran.
    case jobFinished(id: Int64, result: JobResult)
    case stepStarted(jobID: Int64, index: Int, at: Date)
    case stepFinished(jobID: Int64, index: Int, result: StepResult)
    /// A job run was handed to another system (a cluster), which calls it `reference` (`slurm:1234`).
    case jobSubmitted(id: Int64, reference: String)
}

/// Receives pipeline events in the order they happen for each job run.
///
/// Called from the scheduler's tasks, possibly concurrently for different job runs; implementations must be
/// safe for that. They must not throw: a subscriber that cannot keep up with a failure reports it itself.
package protocol PipelineEventSink: Sendable {
    /// Handles one event.
    func handle(_ event: PipelineEvent) async
}

/// Adapts a sink to the executor's step observer.
struct StepEventForwarder: JobObserver {
    let sink: any PipelineEventSink

    func stepStarted(jobID: Int64, index: Int, at date: Date) async {
        await sink.handle(.stepStarted(jobID: jobID, index: index, at: date))
    }

    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {
        await sink.handle(.stepFinished(jobID: jobID, index: index, result: result))
    }

    func jobSubmitted(jobID: Int64, reference: String) async {
        await sink.handle(.jobSubmitted(id: jobID, reference: reference))
    }
}

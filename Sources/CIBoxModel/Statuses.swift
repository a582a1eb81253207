// cibox — CI in a box. MIT licence, see LICENSE.

/// The state of a pipeline or of one of its workflows, as shown in `--json` and the report.
package enum PipelineStatus: String, Codable, Sendable, CaseIterable {
    case queued
    case running
    case success
    case failed
    /// The pipeline could not run at all (invalid config at trigger time, checkout impossible, …).
    case error
    case canceled
    case onHold = "on_hold"

    /// Whether nothing will change this status any more.
    package var isFinal: Bool {
        switch self {
        case .success, .failed, .error, .canceled: true
        case .queued, .running, .onHold: false
        }
    }
}

/// Workflows use the pipeline statuses.
package typealias WorkflowStatus = PipelineStatus

/// The state of one job run.
package enum JobStatus: String, Codable, Sendable, CaseIterable {
    case queued
    /// Waiting for the jobs it requires.
    case blocked
    case running
    case success
    case failed
    case canceled
    /// A job it required did not end as required, so it never ran.
    case notRun = "not_run"
    /// An approval job waiting for `cibox approve`.
    case onHold = "on_hold"
    /// cibox stopped (crash, kill) while the job ran.
    case interrupted

    /// Whether the job has ended and will not change any more.
    package var isFinal: Bool {
        switch self {
        case .success, .failed, .canceled, .notRun, .interrupted: true
        case .queued, .blocked, .running, .onHold: false
        }
    }
}

/// The state of one step of a job run.
package enum StepStatus: String, Codable, Sendable, CaseIterable {
    case queued
    case running
    case success
    case failed
    case canceled
    /// Skipped: an earlier step failed (or `when` excluded it), or the job was halted.
    case notRun = "not_run"
    case interrupted

    /// Whether the step has ended.
    package var isFinal: Bool {
        switch self {
        case .success, .failed, .canceled, .notRun, .interrupted: true
        case .queued, .running: false
        }
    }
}

/// Why a job did not succeed.
package enum FailureReason: String, Codable, Sendable, CaseIterable {
    /// A step exited with a non-zero status.
    case exitCode = "exit_code"
    case oom
    case timeout
    case noOutputTimeout = "no_output_timeout"
    case canceled
    case interrupted
    /// cibox itself could not prepare or run the job (checkout, workspace, spawn).
    case infrastructure
}

/// What made a pipeline.
package enum TriggerKind: String, Codable, Sendable, CaseIterable {
    /// `cibox run` by a person.
    case manual
    /// The daemon saw a ref move.
    case push
    /// The pre-push gate.
    case prePush = "pre-push"
    /// `cibox trigger` from a script or hook.
    case api
    /// `cibox rerun`.
    case rerun
}

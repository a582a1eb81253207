// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxModel

/// The legal life of one job run, as a pure function of its current status and an event.
///
/// ```
/// blocked --requirementsMet--> queued --start--> running --finish(s)--> success|failed|canceled
///    |  \--requirementsMet (approval)--> on_hold --approve--> success
///    \--requirementFailed--> not_run          any non-final --cancel--> canceled
///                                             running --interrupt--> interrupted
/// ```
package enum JobStateMachine {
    /// Something that happens to a job run.
    package enum Event: Sendable, Equatable {
        /// Every requirement ended as required.
        case requirementsMet(isApproval: Bool)
        /// A requirement ended in a status the job does not accept.
        case requirementFailed
        /// It got a slot and its process started.
        case start
        /// Its steps ended with this status (`success`, `failed` or `canceled`).
        case finish(JobStatus)
        /// `cibox approve`.
        case approve
        /// `cibox cancel` or Ctrl-C.
        case cancel
        /// cibox stopped while it ran.
        case interrupt
    }

    /// The status after `event`.
    /// - Throws: ``InternalError`` naming the status and the event when the transition is illegal.
    package static func next(_ status: JobStatus, on event: Event) throws(InternalError) -> JobStatus {
        switch (status, event) {
        case (.blocked, .requirementsMet(let isApproval)), (.queued, .requirementsMet(let isApproval)):
            return isApproval ? .onHold : .queued
        case (.blocked, .requirementFailed):
            return .notRun
        case (.queued, .start):
            return .running
        case (.running, .finish(let result)) where [.success, .failed, .canceled].contains(result):
            return result
        case (.onHold, .approve):
            return .success
        case (.blocked, .cancel), (.queued, .cancel), (.running, .cancel), (.onHold, .cancel):
            return .canceled
        case (.running, .interrupt), (.queued, .interrupt):
            return .interrupted
        default:
            throw InternalError("illegal job transition from '\(status.rawValue)' on \(event)")
        }
    }
}

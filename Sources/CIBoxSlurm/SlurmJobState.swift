// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation

/// A Slurm job's state as `squeue -o %T`, `scontrol show job` or `sacct` print it (`RUNNING`, `OUT_OF_MEMORY`,
/// `CANCELLED by 0`, …), and what it means for cibox.
package struct SlurmJobState: Sendable, Equatable {
    /// The state's name, upper case, without what follows it (`CANCELLED` of `CANCELLED by 0`).
    package var name: String
    /// Slurm's reason, when it gave one (`OutOfMemory`, `NonZeroExitCode`, `Resources`); nil for `None`.
    package var reason: String?

    /// Makes a state from Slurm's text.
    /// - Parameters:
    ///   - text: the state as Slurm prints it; a trailing `+` (sacct) or `by UID` is dropped.
    ///   - reason: Slurm's reason text, if any.
    package init(_ text: String, reason: String? = nil) {
        let first = text.split(separator: " ").first.map(String.init) ?? text
        name = first.trimmingCharacters(in: ["+"]).uppercased()
        self.reason = reason.flatMap { $0.isEmpty || $0 == "None" || $0 == "(null)" ? nil : $0 }
    }

    /// The states a job leaves only by ending.
    static let finalNames: Set<String> = [
        "BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED",
        "REVOKED", "SPECIAL_EXIT", "TIMEOUT",
    ]

    /// Whether the job has ended for good: nothing of it runs any more (`COMPLETING` is not final: its processes
    /// are still being stopped).
    package var isFinal: Bool { Self.finalNames.contains(name) }

    /// Whether it waits for resources (or a hold) and has not started.
    package var isPending: Bool { name == "PENDING" || name == "REQUEUE_HOLD" || name == "RESV_DEL_HOLD" }

    /// Why a job that ended in this state did not succeed, as cibox records it; nil for `COMPLETED` and for states
    /// that are not final.
    package var failureReason: FailureReason? {
        switch name {
        case "COMPLETED": nil
        case "OUT_OF_MEMORY": .oom
        case "TIMEOUT", "DEADLINE": .timeout
        case "CANCELLED": .canceled
        case _ where isFinal: .infrastructure
        default: nil
        }
    }

    /// The state with its reason, for messages: `FAILED (NonZeroExitCode)`.
    package var description: String {
        reason.map { "\(name) (\($0))" } ?? name
    }
}

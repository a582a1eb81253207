// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation

/// What the record stage writes for a new pipeline.
package struct NewPipeline: Sendable {
    package var projectID: Int64
    /// The number compiled into the plan (`pipeline.number`); recording fails with `conflict` if another
    /// process took it (or a later one) meanwhile, and the caller compiles again with the next one.
    package var number: Int
    /// Whether the store gives the pipeline the project's next number when it records it, whatever `number` says:
    /// for a plan that does not depend on its number (a rerun's, whose plan is the old pipeline's; a config that
    /// compiled to the same plan with two numbers).
    package var takesNextNumber = false
    /// Whether `number` was reserved for this pipeline (``PipelineRecorder/reserveNumber(projectID:)``): no other
    /// pipeline can have it, so recording never conflicts.
    package var numberIsReserved = false
    package var uuid: String
    package var revision: String
    package var treeID: String
    package var branch: String?
    package var tag: String?
    package var trigger: TriggerKind
    package var source: SourceKind
    package var configHash: String
    package var plan: Plan
    /// A branch or tag (full name) and the commit it was seen at, remembered as seen in the transaction that
    /// records the pipeline: the daemon's catch-up can then neither lose a push to a crash nor build it twice.
    package var seenRef: (ref: String, sha: String)? = nil
    /// `plan` as JSON, when the caller already encoded it (to hash it): the store then does not encode it again.
    package var encodedPlan: Data? = nil
    /// Why the pipeline cannot run (its config is invalid): it is recorded as `error`, finished, with this message
    /// and these diagnostics, and without workflows.
    package var failure: (message: String, diagnostics: [Diagnostic])? = nil

    /// Makes a new pipeline description.
    package init(
        projectID: Int64, number: Int, uuid: String, revision: String, treeID: String, branch: String?, tag: String?,
        trigger: TriggerKind, source: SourceKind, configHash: String, plan: Plan
    ) {
        self.projectID = projectID
        self.number = number
        self.uuid = uuid
        self.revision = revision
        self.treeID = treeID
        self.branch = branch
        self.tag = tag
        self.trigger = trigger
        self.source = source
        self.configHash = configHash
        self.plan = plan
    }
}

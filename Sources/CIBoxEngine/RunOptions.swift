// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// What `cibox run` (and later the daemon and the pre-push gate) asks for.
package struct RunOptions: Sendable {
    /// A folder inside the repository.
    package var path: String
    /// The revision to run (HEAD when nil); ignored with `workingTree`.
    package var revision: String?
    /// Run the files on disk, uncommitted changes included.
    package var workingTree: Bool
    /// Only these workflows (all when empty).
    package var workflows: [String]
    /// Only this job.
    package var job: String?
    /// Pipeline parameters (`--param KEY=VALUE`).
    package var parameters: [String: String]
    /// What made the pipeline.
    package var trigger: TriggerKind
    /// Keep job folders after the jobs.
    package var keepsWorkDirectories: Bool
    /// Compile configs whose registry orbs are missing; the jobs that use them fail when they run.
    package var allowMissingOrbs = false

    /// Makes options.
    package init(
        path: String, revision: String? = nil, workingTree: Bool = false, workflows: [String] = [], job: String? = nil,
        parameters: [String: String] = [:], trigger: TriggerKind = .manual, keepsWorkDirectories: Bool = false
    ) {
        self.path = path
        self.revision = revision
        self.workingTree = workingTree
        self.workflows = workflows
        self.job = job
        self.parameters = parameters
        self.trigger = trigger
        self.keepsWorkDirectories = keepsWorkDirectories
    }
}

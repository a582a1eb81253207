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
    /// Only these jobs (all when empty); requirements on jobs left out are dropped.
    package var jobs: [String]
    /// Pipeline parameters (`--param KEY=VALUE`).
    package var parameters: [String: String]
    /// What made the pipeline.
    package var trigger: TriggerKind
    /// Keep job folders after the jobs.
    package var keepsWorkDirectories: Bool
    /// Compile configs whose registry orbs are missing; the jobs that use them fail when they run.
    package var allowMissingOrbs = false
    /// The ref the pipeline is for when it is not the revision's own (the pre-push gate: the remote ref being
    /// pushed to, `refs/heads/main` or `refs/tags/v1`); its branch or tag drives the filters.
    package var pushedRef: String?
    /// The ref (full name) and commit the daemon saw move: the store remembers it as seen in the same
    /// transaction that records the pipeline.
    package var seenRef: (ref: String, sha: String)?

    /// Makes options.
    package init(
        path: String, revision: String? = nil, workingTree: Bool = false, workflows: [String] = [], jobs: [String] = [],
        parameters: [String: String] = [:], trigger: TriggerKind = .manual, keepsWorkDirectories: Bool = false
    ) {
        self.path = path
        self.revision = revision
        self.workingTree = workingTree
        self.workflows = workflows
        self.jobs = jobs
        self.parameters = parameters
        self.trigger = trigger
        self.keepsWorkDirectories = keepsWorkDirectories
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Which part of a configuration to plan: some workflows (all when empty), and optionally one job.
package struct WorkflowSelection: Sendable, Equatable {
    /// Workflow names to plan; empty means every workflow.
    package var workflows: [String]
    /// When set, only workflow jobs whose name or job definition name is this, without their requirements
    /// (like `circleci local execute`).
    package var job: String?

    /// Makes a selection; the default selects everything.
    package init(workflows: [String] = [], job: String? = nil) {
        self.workflows = workflows
        self.job = job
    }
}

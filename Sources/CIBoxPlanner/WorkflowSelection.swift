// cibox — CI in a box. MIT licence, see LICENSE.

/// Which part of a configuration to plan: some workflows (all when empty), and optionally one job.
package struct WorkflowSelection: Sendable, Equatable {
    /// Workflow names to plan; empty means every workflow.
    package var workflows: [String]
    /// When not empty, only workflow jobs whose name or job definition name is one of these; requirements on
    /// jobs left out are dropped (like `circleci local execute` for one job).
    package var jobs: [String]

    /// Makes a selection; the default selects everything.
    package init(workflows: [String] = [], jobs: [String] = []) {
        self.workflows = workflows
        self.jobs = jobs
    }

    /// Makes a selection of at most one job.
    package init(workflows: [String] = [], job: String?) {
        self.init(workflows: workflows, jobs: job.map { [$0] } ?? [])
    }
}

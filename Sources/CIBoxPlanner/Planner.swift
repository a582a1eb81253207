// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Turns a ``Configuration`` into the ``Plan`` of one pipeline: structural checks, workflow and job selection,
/// and branch and tag filters. Pure: no I/O.
package enum Planner {
    /// Structural checks of a configuration for `cibox validate`: unknown jobs in `requires` (at the requirement),
    /// duplicate job names in a workflow, and cycles in `requires` (`cycle in requires: a -> b -> c -> a`).
    ///
    /// - Parameter configuration: A compiled configuration.
    /// - Returns: One error diagnostic per problem, workflow by workflow; empty when the structure is sound.
    package static func validate(_ configuration: Configuration) -> [Diagnostic] {
        configuration.workflows.flatMap { validate($0) }
    }

    /// The plan to run for a pipeline on `branch` or for `tag`.
    ///
    /// Jobs run by CircleCI's filter rules (every branch and no tag by default); a job whose requirements are
    /// all filtered out is left out too, and requirements on filtered-out jobs are dropped. With a job selection,
    /// only the workflow jobs with one of its names or job definition names are kept, and requirements on the
    /// others are dropped.
    /// Workflows left without jobs are omitted.
    ///
    /// - Parameters:
    ///   - configuration: A compiled configuration.
    ///   - branch: The pipeline's branch, if any.
    ///   - tag: The pipeline's tag, if it is a tag pipeline.
    ///   - selection: The workflows and the job to plan.
    /// - Returns: The plan, with at least one job.
    /// - Throws: ``PlanningError`` for a structural error, an unknown workflow, or when nothing is left to run.
    package static func plan(
        _ configuration: Configuration, branch: String?, tag: String?, selection: WorkflowSelection
    ) throws(PlanningError) -> Plan {
        let structural = validate(configuration)
        if !structural.isEmpty {
            throw PlanningError(structural.map(\.formatted).joined(separator: "\n"))
        }
        let workflows = try selectedWorkflows(configuration, names: selection.workflows)
        var plans: [WorkflowPlan] = []
        for workflow in workflows {
            var jobs = filteredJobs(workflow, branch: branch, tag: tag)
            if !selection.jobs.isEmpty {
                jobs = jobs.filter { job in
                    selection.jobs.contains { $0 == job.name || $0 == job.spec?.definitionName }
                }
                let kept = Set(jobs.map(\.name))
                jobs = jobs.map { job in
                    var job = job
                    job.requires = job.requires.filter { kept.contains($0.job) }
                    return job
                }
            }
            if !jobs.isEmpty { plans.append(WorkflowPlan(name: workflow.name, jobs: jobs)) }
        }
        if plans.isEmpty {
            throw nothingToRun(workflows, branch: branch, tag: tag, jobs: selection.jobs)
        }
        return Plan(version: configuration.version, workflows: plans)
    }

    /// The workflows named in `names` (all when empty), in config order.
    static func selectedWorkflows(
        _ configuration: Configuration, names: [String]
    ) throws(PlanningError) -> [WorkflowDefinition] {
        guard !names.isEmpty else { return configuration.workflows }
        let existing = configuration.workflows.map(\.name)
        for name in names where !existing.contains(name) {
            let list = existing.isEmpty ? "none" : existing.joined(separator: ", ")
            throw PlanningError("unknown workflow '\(name)'; the config defines: \(list)")
        }
        return configuration.workflows.filter { names.contains($0.name) }
    }

    /// The jobs of `workflow` that run on `branch`/`tag`, with requirements on left-out jobs removed.
    ///
    /// Jobs come in config order, which need not be dependency order, so the keep decision is repeated until
    /// it no longer changes (at most once per job, as the graph has no cycles).
    static func filteredJobs(_ workflow: WorkflowDefinition, branch: String?, tag: String?) -> [JobPlan] {
        var kept = Set(workflow.jobs.filter { $0.filters.accepts(branch: branch, tag: tag) }.map(\.name))
        var changed = true
        while changed {
            changed = false
            for job in workflow.jobs where kept.contains(job.name) && !job.requires.isEmpty {
                if !job.requires.contains(where: { kept.contains($0.job) }) {
                    kept.remove(job.name)
                    changed = true
                }
            }
        }
        return workflow.jobs.filter { kept.contains($0.name) }.map { job in
            JobPlan(
                name: job.name, requires: job.requires.filter { kept.contains($0.job) }, kind: job.kind,
                contexts: job.contexts, spec: job.spec)
        }
    }

    static func nothingToRun(
        _ workflows: [WorkflowDefinition], branch: String?, tag: String?, jobs: [String]
    ) -> PlanningError {
        let ref = tag.map { "tag '\($0)'" } ?? branch.map { "branch '\($0)'" } ?? "a commit without branch"
        let names = workflows.map { "'\($0.name)'" }.joined(separator: ", ")
        if !jobs.isEmpty {
            let named = jobs.map { "'\($0)'" }.joined(separator: " or ")
            return PlanningError(
                "nothing to run: no job named \(named) in workflows \(names) runs for \(ref); "
                    + "check the job name and its filters")
        }
        if workflows.isEmpty {
            return PlanningError("nothing to run: the config has no workflows")
        }
        return PlanningError(
            "nothing to run for \(ref): the filters of every job in workflows \(names) leave it out"
                + (tag == nil ? "" : " (jobs run for tags only with a 'tags' filter)"))
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `workflows:` → the configuration's workflows: each workflow's `when`/`unless`, its jobs (one per matrix
/// combination, each job compiled once per distinct use), requirements with matrix aliases expanded, filters,
/// approval, contexts and scheduled `triggers`; and the implicit `build` workflow of a 2.0 config.
struct WorkflowCompiler {
    /// The keys of a workflow job invocation that are not arguments for the job's parameters.
    static let workflowJobReservedKeys: Set<String> = [
        "requires", "name", "context", "filters", "type", "matrix", "pre-steps", "post-steps", "serial-group",
        "override-with",
    ]

    /// What the expansion passes share.
    let context: ExpansionContext
    /// Expands the jobs workflows use.
    let jobs: JobExpansion
    /// Compiles the expanded jobs.
    let jobCompiler: JobCompiler
    /// Compiles `filters:`.
    let filterCompiler: FilterCompiler
    /// Compiles `requires:`.
    let requirementCompiler: RequirementCompiler
    /// The compiled jobs of invocations without arguments, by job name (many workflows reuse them).
    var jobCache: [String: JobSpec?] = [:]
    /// The names of the jobs workflows use.
    var invokedJobs: Set<String> = []

    /// A compiler of the workflows of the config in `context`.
    init(context: ExpansionContext) {
        self.context = context
        jobs = JobExpansion(context: context)
        jobCompiler = JobCompiler(decoder: context.decoder)
        filterCompiler = FilterCompiler(decoder: context.decoder)
        requirementCompiler = RequirementCompiler(decoder: context.decoder)
    }

    /// Where problems go.
    var decoder: NodeDecoder { context.decoder }

    /// The workflows under `workflows:` (the legacy `version` key is skipped), sorted into the configuration's
    /// workflows, scheduled workflows and workflows left out by `when`/`unless`.
    mutating func compileWorkflows(_ node: ConfigNode, into configuration: inout Configuration) {
        guard let entries = decoder.mapping(node, "workflows") else { return }
        for entry in entries where entry.key != "version" {
            compileWorkflow(entry, into: &configuration)
        }
    }

    /// One workflow, into the configuration's workflows, scheduled workflows or skipped workflows.
    mutating func compileWorkflow(_ entry: ConfigMappingEntry, into configuration: inout Configuration) {
        let path = "workflows.\(entry.key)"
        decoder.checkName(entry.key, kind: "workflow", at: entry.keyLocation)
        guard let entries = decoder.mapping(entry.value, path) else { return }
        decoder.checkKeys(
            entries, in: path, known: ["jobs", "triggers", "when", "unless"], notYet: ["max_auto_reruns"])
        guard isSelected(entry.value, path: path) else {
            configuration.skippedWorkflows.append(entry.key)
            return
        }
        guard let jobsNode = entry.value["jobs"] else {
            decoder.error(
                entry.value.location, "workflow '\(entry.key)' has no 'jobs'", hint: "list its jobs under 'jobs:'")
            return
        }
        let elements = decoder.sequence(jobsNode, "\(path).jobs") ?? []
        if jobsNode.elements?.isEmpty == true {
            decoder.error(
                jobsNode.location, "workflow '\(entry.key)' has an empty 'jobs' list",
                hint: "list at least one job under 'jobs:'")
        }
        var jobs: [WorkflowJob] = []
        var aliases: [String: [String]] = [:]
        for (index, element) in elements.enumerated() {
            jobs += compileInvocation(
                element, workflow: entry.key, path: "\(path).jobs[\(index)]", aliases: &aliases)
        }
        Self.expandAliases(&jobs, aliases)
        checkTagFilters(jobs, workflow: entry.key)
        var definition = WorkflowDefinition(name: entry.key, jobs: jobs, location: entry.keyLocation)
        if let triggers = entry.value.entry("triggers") {
            definition.triggers = compileTriggers(triggers.value, path: "\(path).triggers")
            decoder.warning(
                triggers.keyLocation,
                "workflow '\(entry.key)' runs on a schedule, which cibox does not do: "
                    + "it is recorded but not run for commits")
            configuration.scheduledWorkflows.append(definition)
        } else {
            configuration.workflows.append(definition)
        }
    }

    /// Whether a workflow's `when`/`unless` lets it run (true without them).
    func isSelected(_ workflow: ConfigNode, path: String) -> Bool {
        for key in ["when", "unless"] {
            guard let condition = workflow[key] else { continue }
            let value = context.substitution.substitute(condition, context.templates.pipelineScope)
            guard let isTrue = context.logic.evaluate(value, path: "\(path).\(key)") else { return false }
            if isTrue != (key == "when") { return false }
        }
        return true
    }

    /// `triggers: [{schedule: {cron, filters}}]`.
    func compileTriggers(_ node: ConfigNode, path: String) -> [ScheduleTrigger] {
        guard let elements = decoder.sequence(node, path) else { return [] }
        return elements.enumerated().compactMap { index, element in
            let itemPath = "\(path)[\(index)].schedule"
            guard let schedule = element["schedule"], decoder.mapping(schedule, itemPath) != nil else {
                decoder.error(element.location, "'\(path)[\(index)]' must be a mapping with 'schedule'")
                return nil
            }
            guard let cron = schedule["cron"].flatMap({ decoder.string($0, "\(itemPath).cron") }) else {
                if schedule["cron"] == nil { decoder.error(schedule.location, "'\(itemPath)' needs 'cron'") }
                return nil
            }
            let filters =
                schedule["filters"].map { filterCompiler.compileFilters($0, path: "\(itemPath).filters") }
                ?? JobFilters()
            return ScheduleTrigger(cron: cron, filters: filters)
        }
    }

    /// The implicit `build` workflow of a config without `workflows:` (version 2 and 2.0 only).
    mutating func implicitWorkflows(_ root: ConfigNode, version: String?) -> [WorkflowDefinition] {
        guard version == "2" || version == "2.0" else {
            if version != nil {
                decoder.error(
                    root.location, "the config has no 'workflows'",
                    hint: "add a 'workflows:' key listing the jobs to run")
            }
            return []
        }
        guard context.scopes[0].elements[.job]?["build"] != nil else {
            if let jobsKey = root.entry("jobs") {
                decoder.error(
                    jobsKey.keyLocation,
                    "a version \(version ?? "2") config without 'workflows' needs a job named 'build'",
                    hint: "rename the job to run to 'build', or add a 'workflows:' key")
            }
            return []
        }
        let spec = compiledJob(JobInvocation(job: "build", location: root.location))
        let job = WorkflowJob(name: "build", spec: spec ?? nil, location: root.location)
        return [WorkflowDefinition(name: "build", jobs: [job], location: root.location)]
    }

    /// Requirements naming a matrix alias (and no job) become requirements on every job of the matrix.
    static func expandAliases(_ jobs: inout [WorkflowJob], _ aliases: [String: [String]]) {
        guard !aliases.isEmpty else { return }
        let names = Set(jobs.map(\.name))
        for index in jobs.indices {
            var requires: [Requirement] = []
            var locations: [SourceLocation] = []
            for (offset, requirement) in jobs[index].requires.enumerated() {
                let location = jobs[index].requirementLocations[safe: offset] ?? jobs[index].location
                guard !names.contains(requirement.job), let members = aliases[requirement.job] else {
                    requires.append(requirement)
                    locations.append(location)
                    continue
                }
                for member in members {
                    requires.append(Requirement(job: member, statuses: requirement.statuses))
                    locations.append(location)
                }
            }
            jobs[index].requires = requires
            jobs[index].requirementLocations = locations
        }
    }

    /// Warns about a job with a `tags` filter that requires a job without one: on a tag, the required job does
    /// not run, so neither does this one (CircleCI's rule for tag pipelines).
    func checkTagFilters(_ jobs: [WorkflowJob], workflow: String) {
        var byName: [String: WorkflowJob] = [:]
        for job in jobs where byName[job.name] == nil { byName[job.name] = job }
        for job in jobs where job.filters.tags != nil {
            for (offset, requirement) in job.requires.enumerated() {
                guard let upstream = byName[requirement.job], upstream.filters.tags == nil else { continue }
                decoder.warning(
                    job.requirementLocations[safe: offset] ?? job.location,
                    "job '\(job.name)' in workflow '\(workflow)' has a 'tags' filter but requires '\(upstream.name)', "
                        + "which has none: on a tag, '\(upstream.name)' does not run, so neither does '\(job.name)'",
                    hint: "give '\(upstream.name)' a 'tags' filter too")
            }
        }
    }
}

extension Array {
    /// The element at `index`, or `nil` when out of range.
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}

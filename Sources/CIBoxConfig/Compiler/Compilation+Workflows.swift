// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension Compilation {
    static let workflowJobKeys: Set<String> = ["requires", "name", "context", "filters", "type"]
    static let workflowJobKeysNotYet: Set<String> = [
        "matrix", "parameters", "pre-steps", "post-steps", "serial-group", "override-with",
    ]

    /// The workflows under `workflows:`, in order (the legacy `version` key is skipped).
    mutating func compileWorkflows(_ node: ConfigNode) -> [WorkflowDefinition] {
        guard let entries = decoder.mapping(node, "workflows") else { return [] }
        return entries.compactMap { entry in
            entry.key == "version" ? nil : compileWorkflow(entry)
        }
    }

    /// One workflow; `nil` for a scheduled workflow, which does not run for commits.
    mutating func compileWorkflow(_ entry: ConfigMappingEntry) -> WorkflowDefinition? {
        let path = "workflows.\(entry.key)"
        guard let entries = decoder.mapping(entry.value, path) else { return nil }
        decoder.checkKeys(
            entries, in: path, known: ["jobs", "triggers"], notYet: ["when", "unless", "max_auto_reruns"])
        if let triggers = entry.value.entry("triggers") {
            decoder.warning(
                triggers.keyLocation,
                "'\(path).triggers' (scheduled workflows) is not supported by cibox yet; "
                    + "the workflow is left out, as CircleCI does not run it for commits")
            return nil
        }
        guard let jobsNode = entry.value["jobs"] else {
            decoder.error(
                entry.value.location, "workflow '\(entry.key)' has no 'jobs'", hint: "list its jobs under 'jobs:'")
            return nil
        }
        let elements = decoder.sequence(jobsNode, "\(path).jobs") ?? []
        let jobs = elements.enumerated().compactMap { index, element in
            compileWorkflowJob(element, workflow: entry.key, path: "\(path).jobs[\(index)]")
        }
        return WorkflowDefinition(name: entry.key, jobs: jobs, location: entry.keyLocation)
    }

    /// One entry of a workflow's `jobs:` list: `- name` or `- name: {requires, name, context, filters, type}`.
    mutating func compileWorkflowJob(_ node: ConfigNode, workflow: String, path: String) -> WorkflowJob? {
        let jobName: String
        let options: ConfigNode?
        let location: SourceLocation
        if let scalar = node.scalar, !scalar.isNull {
            (jobName, options, location) = (scalar.text, nil, node.location)
        } else if let entries = node.entries, entries.count == 1, let entry = entries.first {
            (jobName, options, location) = (entry.key, entry.value.isNull ? nil : entry.value, entry.keyLocation)
        } else {
            decoder.error(
                node.location, "'\(path)' must be a job name or a single 'name: {options}' entry",
                hint: "indent the job's options (requires, filters, …) under its name")
            return nil
        }
        var job = WorkflowJob(name: jobName, spec: nil, location: location)
        if let options {
            compileWorkflowJobOptions(options, into: &job, path: "\(path).\(jobName)")
        }
        if job.kind == .build {
            guard jobNames.contains(jobName) else {
                let orbHint = jobName.contains("/") ? "orb jobs are not supported by cibox yet" : nil
                decoder.error(
                    location, "workflow '\(workflow)' uses undefined job '\(jobName)'",
                    hint: orbHint ?? "define '\(jobName)' under 'jobs:' or fix the name")
                return nil
            }
            job.spec = jobs[jobName]
        }
        return job
    }

    mutating func compileWorkflowJobOptions(_ options: ConfigNode, into job: inout WorkflowJob, path: String) {
        guard let entries = decoder.mapping(options, path) else { return }
        decoder.checkKeys(entries, in: path, known: Self.workflowJobKeys, notYet: Self.workflowJobKeysNotYet)
        if let name = options["name"].flatMap({ decoder.string($0, "\(path).name") }) {
            job.name = name
        }
        if let type = options["type"] {
            if type.scalar?.text == "approval" {
                job.kind = .approval
            } else if type.scalar?.text != "build" {
                decoder.error(type.location, "'\(path).type' must be 'approval', got \(type.kindDescription)")
            }
        }
        job.contexts = options["context"].flatMap { decoder.stringList($0, "\(path).context") } ?? []
        if let requires = options["requires"] {
            compileRequires(requires, into: &job, path: "\(path).requires")
        }
        if let filters = options["filters"] {
            job.filters = compileFilters(filters, path: "\(path).filters")
        }
    }

    /// `requires:` entries: `- job`, `- job: failed` or `- job: [success, canceled]`.
    mutating func compileRequires(_ node: ConfigNode, into job: inout WorkflowJob, path: String) {
        guard let elements = decoder.sequence(node, path) else { return }
        for (index, element) in elements.enumerated() {
            if let scalar = element.scalar, !scalar.isNull {
                job.requires.append(Requirement(job: scalar.text))
                job.requirementLocations.append(element.location)
                continue
            }
            guard let entries = element.entries, !entries.isEmpty else {
                decoder.error(
                    element.location, "'\(path)[\(index)]' must be a job name or 'job: status'",
                    hint: "statuses are success, failed, canceled, not_run and terminal")
                continue
            }
            for entry in entries {
                let statuses = requirementStatuses(entry.value, path: "\(path)[\(index)].\(entry.key)")
                job.requires.append(Requirement(job: entry.key, statuses: statuses))
                job.requirementLocations.append(entry.keyLocation)
            }
        }
    }

    mutating func requirementStatuses(_ node: ConfigNode, path: String) -> [JobStatus] {
        var result: [JobStatus] = []
        for name in decoder.stringList(node, path) ?? [] {
            let statuses: [JobStatus]? =
                switch name {
                case "success": [.success]
                case "failed": [.failed]
                case "canceled": [.canceled]
                case "not_run": [.notRun]
                case "terminal": [.success, .failed, .canceled, .notRun]
                default: nil
                }
            guard let statuses else {
                decoder.error(
                    node.location, "unknown job status '\(name)' in '\(path)'",
                    hint: "statuses are success, failed, canceled, not_run and terminal")
                continue
            }
            result += statuses.filter { !result.contains($0) }
        }
        return result.isEmpty ? [.success] : result
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import CIBoxYAML

/// CircleCI's processed form of a compiled configuration, as `circleci config process` prints it: `version`,
/// `jobs` with their expanded steps (no orbs, commands, executors or parameters left; one job per distinct
/// workflow job, matrix expanded) and `workflows` with `requires`, `filters`, `context` and `type`.
package enum ProcessedConfig {
    /// The processed YAML of `configuration`; deterministic (same input, same text).
    ///
    /// - Parameter configuration: A compiled configuration.
    /// - Returns: YAML text ending with a newline.
    package static func render(_ configuration: Configuration) -> String {
        var jobs: [(String, YAMLValue)] = []
        var jobKeys: [String: String] = [:]  // rendered job text -> key
        var workflows: [(String, YAMLValue)] = []
        let all = configuration.workflows + configuration.scheduledWorkflows
        for workflow in all {
            var entries: [YAMLValue] = []
            for job in workflow.jobs {
                var fields: [(String, YAMLValue)] = []
                var key = job.name
                if let spec = job.spec {
                    let body = jobValue(spec)
                    let text = YAMLWriter.write(body)
                    if let existing = jobKeys[text] {
                        key = existing
                    } else {
                        while jobs.contains(where: { $0.0 == key }) { key += "-\(workflow.name)" }
                        jobKeys[text] = key
                        jobs.append((key, body))
                    }
                }
                if key != job.name { fields.append(("name", .string(job.name))) }
                if job.kind == .approval { fields.append(("type", .string("approval"))) }
                if !job.requires.isEmpty { fields.append(("requires", .list(job.requires.map(requirementValue)))) }
                if !job.contexts.isEmpty { fields.append(("context", .list(job.contexts.map { .string($0) }))) }
                if let filters = filtersValue(job.filters) { fields.append(("filters", filters)) }
                entries.append(fields.isEmpty ? .string(key) : .mapping([(key, .mapping(fields))]))
            }
            var fields: [(String, YAMLValue)] = [("jobs", .list(entries))]
            if !workflow.triggers.isEmpty {
                fields.append(("triggers", .list(workflow.triggers.map(triggerValue))))
            }
            workflows.append((workflow.name, .mapping(fields)))
        }
        var root: [(String, YAMLValue)] = [("version", .string(configuration.version))]
        if configuration.isSetup { root.append(("setup", .boolean(true))) }
        root.append(("jobs", .mapping(jobs)))
        root.append(("workflows", .mapping(workflows)))
        return YAMLWriter.write(.mapping(root))
    }

    static func jobValue(_ spec: JobSpec) -> YAMLValue {
        var fields: [(String, YAMLValue)] = []
        let executor = spec.executor
        switch executor.kind {
        case "docker":
            let images = (executor.image.map { [$0] } ?? []) + executor.serviceImages
            fields.append(("docker", .list(images.map { .mapping([("image", .string($0))]) })))
        case "macos":
            fields.append(("macos", .mapping(executor.image.map { [("xcode", .string($0))] } ?? [])))
        case "machine", "windows":
            fields.append(("machine", executor.image.map { .mapping([("image", .string($0))]) } ?? .boolean(true)))
        default:
            break
        }
        if let resourceClass = spec.resourceClass { fields.append(("resource_class", .string(resourceClass))) }
        if spec.parallelism != 1 { fields.append(("parallelism", .integer(spec.parallelism))) }
        fields.append(("working_directory", .string(spec.workingDirectory)))
        if let shell = spec.shell { fields.append(("shell", .string(shell))) }
        if !spec.environment.isEmpty { fields.append(("environment", environmentValue(spec.environment))) }
        fields.append(("steps", .list(spec.steps.map(stepValue))))
        return .mapping(fields)
    }

    static func environmentValue(_ variables: [EnvironmentVariable]) -> YAMLValue {
        .mapping(variables.map { ($0.name, .string($0.value)) })
    }

    static func stepValue(_ step: StepPlan) -> YAMLValue {
        var fields: [(String, YAMLValue)] = [("name", .string(step.name))]
        let key: String
        switch step.action {
        case .checkout(let path):
            key = "checkout"
            if let path { fields.append(("path", .string(path))) }
        case .run(let action):
            key = "run"
            fields.append(("command", .string(action.command)))
            if let directory = action.workingDirectory { fields.append(("working_directory", .string(directory))) }
            if !action.environment.isEmpty { fields.append(("environment", environmentValue(action.environment))) }
            if let shell = action.shell { fields.append(("shell", .string(shell))) }
            if action.isBackground { fields.append(("background", .boolean(true))) }
            if let timeout = action.noOutputTimeout {
                fields.append(("no_output_timeout", .string("\(Int(timeout))s")))
            }
        case .unsupported(let name, let message, _):
            key = name
            fields.append(("cibox", .string(message)))
        case .saveCache(let action):
            key = "save_cache"
            fields += [("key", .string(action.key)), ("paths", .list(action.paths.map { .string($0) }))]
        case .restoreCache(let action):
            key = "restore_cache"
            fields.append(("keys", .list(action.keys.map { .string($0) })))
        case .persistToWorkspace(let action):
            key = "persist_to_workspace"
            fields += [("root", .string(action.root)), ("paths", .list(action.paths.map { .string($0) }))]
        case .attachWorkspace(let at):
            key = "attach_workspace"
            fields.append(("at", .string(at)))
        case .storeArtifacts(let path, let destination):
            key = "store_artifacts"
            fields.append(("path", .string(path)))
            if let destination { fields.append(("destination", .string(destination))) }
        case .storeTestResults(let path):
            key = "store_test_results"
            fields.append(("path", .string(path)))
        }
        if step.condition != .onSuccess { fields.append(("when", .string(step.condition.rawValue))) }
        return .mapping([(key, .mapping(fields))])
    }

    static func requirementValue(_ requirement: Requirement) -> YAMLValue {
        guard requirement.statuses != [.success] else { return .string(requirement.job) }
        return .mapping([(requirement.job, .list(requirement.statuses.map { .string($0.rawValue) }))])
    }

    static func filtersValue(_ filters: JobFilters) -> YAMLValue? {
        var fields: [(String, YAMLValue)] = []
        if let branches = filters.branches { fields.append(("branches", refFilterValue(branches))) }
        if let tags = filters.tags { fields.append(("tags", refFilterValue(tags))) }
        return fields.isEmpty ? nil : .mapping(fields)
    }

    static func refFilterValue(_ filter: RefFilter) -> YAMLValue {
        func pattern(_ pattern: RefPattern) -> YAMLValue {
            switch pattern {
            case .exact(let name): .string(name)
            case .regex(let body): .string("/\(body)/")
            }
        }
        var fields: [(String, YAMLValue)] = []
        if let only = filter.only { fields.append(("only", .list(only.map(pattern)))) }
        if !filter.ignore.isEmpty { fields.append(("ignore", .list(filter.ignore.map(pattern)))) }
        return .mapping(fields)
    }

    static func triggerValue(_ trigger: ScheduleTrigger) -> YAMLValue {
        var schedule: [(String, YAMLValue)] = [("cron", .string(trigger.cron))]
        if let filters = filtersValue(trigger.filters) { schedule.append(("filters", filters)) }
        return .mapping([("schedule", .mapping(schedule))])
    }
}

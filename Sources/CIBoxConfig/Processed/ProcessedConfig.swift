// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// CircleCI's processed form of a compiled configuration, as `circleci config process` prints it: `version`,
/// `jobs` with their expanded steps (no orbs, commands, executors or parameters left; one job per distinct
/// workflow job, matrix expanded) and `workflows` with `requires`, `filters`, `context` and `type`.
package enum ProcessedConfig {
    /// The processed YAML of `configuration`; deterministic (same input, same text).
    ///
    /// - Parameter configuration: A compiled configuration.
    /// - Returns: YAML text ending with a newline.
    /// - Throws: ``InternalError`` if the YAML emitter fails (a bug).
    package static func render(_ configuration: Configuration) throws(InternalError) -> String {
        var jobs: OrderedDictionary<String, YAMLValue> = [:]
        var jobKeys: [YAMLValue: String] = [:]  // job body -> key
        var workflows: OrderedDictionary<String, YAMLValue> = [:]
        let all = configuration.workflows + configuration.scheduledWorkflows
        for workflow in all {
            var entries: [YAMLValue] = []
            for job in workflow.jobs {
                var fields: OrderedDictionary<String, YAMLValue> = [:]
                var key = job.name
                if let spec = job.spec {
                    let body = jobValue(spec)
                    if let existing = jobKeys[body] {
                        key = existing
                    } else {
                        while jobs[key] != nil { key += "-\(workflow.name)" }
                        jobKeys[body] = key
                        jobs[key] = body
                    }
                }
                if key != job.name { fields["name"] = .string(job.name) }
                if job.kind == .approval { fields["type"] = .string("approval") }
                if !job.requires.isEmpty { fields["requires"] = .list(job.requires.map(requirementValue)) }
                if !job.contexts.isEmpty { fields["context"] = .list(job.contexts.map { .string($0) }) }
                if let filters = filtersValue(job.filters) { fields["filters"] = filters }
                entries.append(fields.isEmpty ? .string(key) : .mapping([key: .mapping(fields)]))
            }
            var fields: OrderedDictionary<String, YAMLValue> = ["jobs": .list(entries)]
            if !workflow.triggers.isEmpty {
                fields["triggers"] = .list(workflow.triggers.map(triggerValue))
            }
            workflows[workflow.name] = .mapping(fields)
        }
        var root: OrderedDictionary<String, YAMLValue> = ["version": .string(configuration.version)]
        if configuration.isSetup { root["setup"] = .boolean(true) }
        root["jobs"] = .mapping(jobs)
        root["workflows"] = .mapping(workflows)
        return try YAMLWriter.write(.mapping(root))
    }

    static func jobValue(_ spec: JobSpec) -> YAMLValue {
        var fields: OrderedDictionary<String, YAMLValue> = [:]
        let executor = spec.executor
        switch executor.kind {
        case "docker":
            let images =
                spec.dockerImages
                ?? ((executor.image.map { [$0] } ?? []) + executor.serviceImages).map(DockerImage.init)
            fields["docker"] = .list(images.map(dockerValue))
        case "macos":
            fields["macos"] = .mapping(executor.image.map { ["xcode": .string($0)] } ?? [:])
        case "machine", "windows":
            var machine: OrderedDictionary<String, YAMLValue> = [:]
            if let image = executor.image { machine["image"] = .string(image) }
            if let caching = spec.dockerLayerCaching { machine["docker_layer_caching"] = .boolean(caching) }
            fields["machine"] = machine.isEmpty ? .boolean(true) : .mapping(machine)
        default:
            break
        }
        if let resourceClass = spec.resourceClass { fields["resource_class"] = .string(resourceClass) }
        if spec.parallelism != 1 { fields["parallelism"] = .integer(spec.parallelism) }
        fields["working_directory"] = .string(spec.workingDirectory)
        if let shell = spec.shell { fields["shell"] = .string(shell) }
        if !spec.environment.isEmpty { fields["environment"] = environmentValue(spec.environment) }
        fields["steps"] = .list(spec.steps.map(stepValue))
        return .mapping(fields)
    }

    /// One `docker:` entry with every key cibox understands, in CircleCI's documented order.
    static func dockerValue(_ image: DockerImage) -> YAMLValue {
        var fields: OrderedDictionary<String, YAMLValue> = ["image": .string(image.image)]
        if let name = image.name { fields["name"] = .string(name) }
        if let entrypoint = image.entrypoint { fields["entrypoint"] = .list(entrypoint.map { .string($0) }) }
        if let command = image.command { fields["command"] = .list(command.map { .string($0) }) }
        if let user = image.user { fields["user"] = .string(user) }
        if !image.environment.isEmpty { fields["environment"] = environmentValue(image.environment) }
        if let auth = image.auth {
            fields[image.isAWSAuth ? "aws_auth" : "auth"] = .mapping(
                OrderedDictionary(
                    uniqueKeysWithValues: auth.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        return .mapping(fields)
    }

    static func environmentValue(_ variables: [EnvironmentVariable]) -> YAMLValue {
        // A name given twice keeps its first place and its last value, the one the job's steps see.
        .mapping(OrderedDictionary(variables.map { ($0.name, .string($0.value)) }, uniquingKeysWith: { $1 }))
    }

    static func stepValue(_ step: StepPlan) -> YAMLValue {
        var fields: OrderedDictionary<String, YAMLValue> = ["name": .string(step.name)]
        let key: String
        switch step.action {
        case .checkout(let path):
            key = "checkout"
            if let path { fields["path"] = .string(path) }
            if let method = step.checkoutMethod { fields["method"] = .string(method) }
        case .run(let action):
            key = "run"
            fields["command"] = .string(action.command)
            if let directory = action.workingDirectory { fields["working_directory"] = .string(directory) }
            if !action.environment.isEmpty { fields["environment"] = environmentValue(action.environment) }
            if let shell = action.shell { fields["shell"] = .string(shell) }
            if action.isBackground { fields["background"] = .boolean(true) }
            if let timeout = action.noOutputTimeout {
                fields["no_output_timeout"] = .string("\(Int(timeout))s")
            }
        case .unsupported(let name, let message, _):
            key = name
            fields["cibox"] = .string(message)
        case .setupRemoteDocker(let action):
            key = "setup_remote_docker"
            if let version = action.version { fields["version"] = .string(version) }
            if action.layerCaching { fields["docker_layer_caching"] = .boolean(true) }
        case .saveCache(let action):
            key = "save_cache"
            fields["key"] = .string(action.key)
            fields["paths"] = .list(action.paths.map { .string($0) })
        case .restoreCache(let action):
            key = "restore_cache"
            fields["keys"] = .list(action.keys.map { .string($0) })
        case .persistToWorkspace(let action):
            key = "persist_to_workspace"
            fields["root"] = .string(action.root)
            fields["paths"] = .list(action.paths.map { .string($0) })
        case .attachWorkspace(let at):
            key = "attach_workspace"
            fields["at"] = .string(at)
        case .storeArtifacts(let path, let destination):
            key = "store_artifacts"
            fields["path"] = .string(path)
            if let destination { fields["destination"] = .string(destination) }
        case .storeTestResults(let path):
            key = "store_test_results"
            fields["path"] = .string(path)
        }
        // store_artifacts and store_test_results always run, and take no `when`.
        if step.condition != .onSuccess, !["store_artifacts", "store_test_results"].contains(key) {
            fields["when"] = .string(step.condition.rawValue)
        }
        return .mapping([key: .mapping(fields)])
    }

    static func requirementValue(_ requirement: Requirement) -> YAMLValue {
        guard requirement.statuses != [.success] else { return .string(requirement.job) }
        return .mapping([requirement.job: .list(requirement.statuses.map { .string($0.rawValue) })])
    }

    static func filtersValue(_ filters: JobFilters) -> YAMLValue? {
        var fields: OrderedDictionary<String, YAMLValue> = [:]
        if let branches = filters.branches { fields["branches"] = refFilterValue(branches) }
        if let tags = filters.tags { fields["tags"] = refFilterValue(tags) }
        return fields.isEmpty ? nil : .mapping(fields)
    }

    static func refFilterValue(_ filter: RefFilter) -> YAMLValue {
        func pattern(_ pattern: RefPattern) -> YAMLValue {
            switch pattern {
            case .exact(let name): .string(name)
            case .regex(let body): .string("/\(body)/")
            }
        }
        var fields: OrderedDictionary<String, YAMLValue> = [:]
        if let only = filter.only { fields["only"] = .list(only.map(pattern)) }
        if !filter.ignore.isEmpty { fields["ignore"] = .list(filter.ignore.map(pattern)) }
        return .mapping(fields)
    }

    static func triggerValue(_ trigger: ScheduleTrigger) -> YAMLValue {
        var schedule: OrderedDictionary<String, YAMLValue> = ["cron": .string(trigger.cron)]
        if let filters = filtersValue(trigger.filters) { schedule["filters"] = filters }
        return .mapping(["schedule": .mapping(schedule)])
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

extension WorkflowCompiler {
    /// The workflow jobs of one entry of a workflow's `jobs:` list: one, or one per matrix combination.
    mutating func compileInvocation(
        _ node: ConfigNode, workflow: String, path: String, aliases: inout [String: [String]]
    ) -> [WorkflowJob] {
        let jobName: String
        let rawOptions: ConfigNode?
        let location: SourceLocation
        if let scalar = node.scalar, !scalar.isNull {
            (jobName, rawOptions, location) = (scalar.text, nil, node.location)
        } else if let entries = node.entries, entries.count == 1, let entry = entries.first {
            (jobName, rawOptions, location) = (entry.key, entry.value.isNull ? nil : entry.value, entry.keyLocation)
        } else {
            decoder.error(
                node.location, "'\(path)' must be a job name or a single 'name: {options}' entry",
                hint: "indent the job's options (requires, filters, …) under its name")
            return []
        }
        let itemPath = "\(path).\(jobName)"
        if let rawOptions, decoder.mapping(rawOptions, itemPath) == nil { return [] }
        let options = rawOptions.map {
            context.substitution.substitute(
                JobExpansion.removing(["matrix"], from: $0), context.templates.pipelineScope)
        }
        guard let matrixNode = rawOptions?["matrix"] else {
            return compileWorkflowJob(jobName, options: options, at: location, workflow: workflow, path: itemPath)
                .map { [$0] } ?? []
        }
        let matrix = context.substitution.substitute(matrixNode, context.templates.pipelineScope)
        guard let (combinations, alias) = matrixCombinations(matrix, path: "\(itemPath).matrix") else { return [] }
        var jobs: [WorkflowJob] = []
        for combination in combinations {
            var scope = context.templates.pipelineScope
            scope.matrix = Dictionary(combination, uniquingKeysWith: { _, last in last })
            var instance = options.map { context.substitution.substitute($0, scope) }
            if instance?["name"] == nil {
                let generated = ([jobName] + combination.map { $0.1.scalar?.text ?? "" }).joined(separator: "-")
                instance = Self.adding("name", generated, to: instance, at: location)
            }
            let arguments = combination.map { name, value in
                ConfigMappingEntry(key: name, keyLocation: value.location, value: value)
            }
            if let job = compileWorkflowJob(
                jobName, options: instance, matrixArguments: arguments, at: location, workflow: workflow,
                path: itemPath)
            {
                jobs.append(job)
            }
        }
        aliases[alias ?? jobName, default: []] += jobs.map(\.name)
        return jobs
    }

    /// `options` with a string entry `key: value` added.
    static func adding(_ key: String, _ value: String, to options: ConfigNode?, at location: SourceLocation)
        -> ConfigNode
    {
        let entry = ConfigMappingEntry(
            key: key, keyLocation: location,
            value: ConfigNode(.scalar(ConfigScalar(value, isQuoted: true)), at: location))
        return ConfigNode(.mapping((options?.entries ?? []) + [entry]), at: options?.location ?? location)
    }

    /// One workflow job: its options, and the compiled job with its arguments and extra steps.
    mutating func compileWorkflowJob(
        _ jobName: String, options: ConfigNode?, matrixArguments: [ConfigMappingEntry] = [],
        at location: SourceLocation, workflow: String, path: String
    ) -> WorkflowJob? {
        var job = WorkflowJob(name: jobName, spec: nil, location: location)
        if let options {
            compileWorkflowJobOptions(options, into: &job, path: path)
        }
        guard job.kind == .build else { return job }
        let arguments = (options?.entries ?? []).filter { !Self.workflowJobReservedKeys.contains($0.key) }
        var invocation = JobInvocation(job: jobName, arguments: arguments + matrixArguments, location: location)
        invocation.preSteps = options?["pre-steps"].flatMap { decoder.sequence($0, "\(path).pre-steps") } ?? []
        invocation.postSteps = options?["post-steps"].flatMap { decoder.sequence($0, "\(path).post-steps") } ?? []
        guard let spec = compiledJob(invocation) else {
            decoder.error(
                location, "workflow '\(workflow)' uses undefined job '\(jobName)'",
                hint: "define '\(jobName)' under 'jobs:' or fix the name")
            return nil
        }
        job.spec = spec
        return job
    }

    /// The compiled job of an invocation: `nil` when the job is not defined, `.some(nil)` when it has errors.
    mutating func compiledJob(_ invocation: JobInvocation) -> JobSpec?? {
        let isPlain = invocation.arguments.isEmpty && invocation.preSteps.isEmpty && invocation.postSteps.isEmpty
        if isPlain, let cached = jobCache[invocation.job] { return .some(cached) }
        invokedJobs.insert(invocation.job)
        guard let processed = jobs.expand(invocation) else { return nil }
        let spec = jobCompiler.compile(invocation.job, processed)
        if isPlain { jobCache[invocation.job] = .some(spec) }
        return .some(spec)
    }

    /// A workflow job's own options: `name`, `type`, `context`, `requires`, `filters`.
    func compileWorkflowJobOptions(_ options: ConfigNode, into job: inout WorkflowJob, path: String) {
        for key in ["serial-group", "override-with"] {
            if let entry = options.entry(key) {
                decoder.warning(entry.keyLocation, "'\(path).\(key)' is not supported by cibox yet and is ignored")
            }
        }
        if let node = options["name"], let name = decoder.string(node, "\(path).name") {
            decoder.checkName(name, kind: "job", at: node.location)
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
            requirementCompiler.compileRequires(requires, into: &job, path: "\(path).requires")
        }
        if let filters = options["filters"] {
            job.filters = filterCompiler.compileFilters(filters, path: "\(path).filters")
        }
    }

    /// The combinations of a `matrix:` (parameters in alphabetical order, as CircleCI names the jobs), minus
    /// `exclude`d ones, and its `alias`.
    func matrixCombinations(_ node: ConfigNode, path: String) -> ([[(String, ConfigNode)]], String?)? {
        guard let entries = decoder.mapping(node, path) else { return nil }
        decoder.checkKeys(entries, in: path, known: ["parameters", "exclude", "alias"])
        guard let parameters = node["parameters"],
            let parameterEntries = decoder.mapping(parameters, "\(path).parameters")
        else {
            if node["parameters"] == nil { decoder.error(node.location, "'\(path)' needs 'parameters'") }
            return nil
        }
        var combinations: [[(String, ConfigNode)]] = [[]]
        for entry in parameterEntries.sorted(by: { $0.key < $1.key }) {
            let values = entry.value.elements ?? [entry.value]
            combinations = combinations.flatMap { prefix in values.map { prefix + [(entry.key, $0)] } }
            if combinations.count > 10_000 {
                decoder.error(node.location, "'\(path)' has more than 10000 combinations")
                return nil
            }
        }
        let exclusions = node["exclude"].flatMap { decoder.sequence($0, "\(path).exclude") } ?? []
        combinations.removeAll { combination in
            exclusions.contains { exclusion in
                guard let fields = exclusion.entries else { return false }
                return fields.allSatisfy { field in
                    combination.contains { $0.0 == field.key && LogicValue($0.1) == LogicValue(field.value) }
                        || combination.contains { $0.0 == field.key && $0.1.scalar?.text == field.value.scalar?.text }
                }
            }
        }
        let alias = node["alias"].flatMap { decoder.string($0, "\(path).alias") }
        return (combinations, alias)
    }

    /// Compiles the jobs no workflow uses (when they need no arguments), so that their mistakes are reported too.
    mutating func checkUninvokedJobs() {
        let definitions = context.scopes[0].elements[.job] ?? [:]
        for name in definitions.keys.sorted() where !invokedJobs.contains(name) {
            guard let definition = definitions[name] else { continue }
            let parameters = definition["parameters"]?.entries ?? []
            guard parameters.allSatisfy({ $0.value["default"] != nil }) else { continue }
            _ = compiledJob(JobInvocation(job: name, location: definition.location))
        }
    }
}

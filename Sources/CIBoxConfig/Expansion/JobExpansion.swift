// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// One use of a job in a workflow: which job, with which arguments and extra steps.
struct JobInvocation {
    /// The job's name as referenced (`build`, `node/test`).
    var job: String
    /// The arguments for the job's parameters.
    var arguments: [ConfigMappingEntry] = []
    /// `pre-steps`, already substituted.
    var preSteps: [ConfigNode] = []
    /// `post-steps`, already substituted.
    var postSteps: [ConfigNode] = []
    /// Where the job is used.
    var location: SourceLocation
}

/// Jobs expanded for one use: parameters bound and substituted, the executor merged in (the job's keys win,
/// `environment` merged), pre- and post-steps added, and the steps expanded (``StepExpansion``).
struct JobExpansion {
    /// The keys an executor definition may have.
    static let executorDefinitionKeys: Set<String> = [
        "docker", "machine", "macos", "windows", "resource_class", "shell", "working_directory", "environment",
        "parameters", "description",
    ]

    /// What the expansion passes share.
    let context: ExpansionContext

    /// Where problems go.
    var decoder: NodeDecoder { context.decoder }

    /// The processed job for an invocation: parameters substituted, executor merged, commands inlined,
    /// `when`/`unless` steps resolved. `nil` when the job is not defined (the caller reports it).
    func expand(_ invocation: JobInvocation) -> ConfigNode? {
        switch context.scopes.resolve(invocation.job, .job, from: 0) {
        case .notFound:
            return nil
        case .missingOrb(let message):
            context.missingOrbUse(
                invocation.location, "job '\(invocation.job)' comes from a missing orb; it fails when run",
                hint: message)
            let step = MissingOrb.step(invocation.job, message: message, at: invocation.location)
            return ConfigNode.mapping(
                sortingKeysOf: ["steps": ConfigNode(.sequence([step]), at: invocation.location)],
                at: invocation.location)
        case .found(let definition, let scope, let name):
            return context.budget.expanding("job '\(name)'", at: invocation.location) {
                expand(definition, scope: scope, name: name, invocation: invocation)
            }
        }
    }

    /// The processed job `definition` of scope `scope`, named `name`, for `invocation`; `nil` when it is not a
    /// mapping.
    func expand(_ definition: ConfigNode, scope: Int, name: String, invocation: JobInvocation) -> ConfigNode? {
        let path = "jobs.\(name)"
        guard decoder.mapping(definition, path) != nil else { return nil }
        let element = "job '\(name)'"
        let declarations = context.binding.declarations(
            definition["parameters"], path: "\(path).parameters", element: element)
        let values = context.bind(
            declarations, arguments: invocation.arguments, element: element, at: invocation.location, scope: scope)
        let templateScope = context.elementScope(values, element: element, scope: scope)
        let body = context.substitution.substitute(Self.removing(["parameters"], from: definition), templateScope)
        var entries = body.entries ?? []
        var leadingSteps: [ConfigNode] = []
        if let executor = body.entry("executor") {
            entries = mergeExecutor(executor, into: entries, scope: scope, leadingSteps: &leadingSteps)
        }
        var steps = leadingSteps + invocation.preSteps
        let stepsEntry = body.entry("steps")
        if let stepsNode = stepsEntry?.value {
            if let elements = stepsNode.elements {
                if elements.isEmpty {
                    decoder.error(
                        stepsNode.location, "'\(path).steps' is empty",
                        hint: "add at least one step, such as '- checkout'")
                }
                steps += elements
            } else {
                steps.append(stepsNode)  // compileSteps reports the shape
            }
        }
        steps += invocation.postSteps
        let expanded = StepExpansion(context: context).expandSteps(
            steps, scope: scope, stack: [:], path: "\(path).steps")
        let stepsLocation = stepsEntry?.value.location ?? definition.location
        let stepsValue = ConfigNode(.sequence(expanded), at: stepsLocation)
        if let index = entries.firstIndex(where: { $0.key == "steps" }) {
            entries[index].value = stepsValue
        } else if !steps.isEmpty {
            entries.append(ConfigMappingEntry(key: "steps", keyLocation: stepsLocation, value: stepsValue))
        }
        return context.substitution.unescape(ConfigNode(.mapping(entries), at: definition.location))
    }

    /// The job's entries with `executor:` replaced by the executor's keys that the job does not set itself
    /// (`environment` merged, job variables winning).
    func mergeExecutor(
        _ entry: ConfigMappingEntry, into jobEntries: [ConfigMappingEntry], scope: Int,
        leadingSteps: inout [ConfigNode]
    ) -> [ConfigMappingEntry] {
        var result = jobEntries.filter { $0.key != "executor" }
        guard let (name, arguments) = executorReference(entry.value), name != ParameterBinding.missingExecutorStandIn
        else {
            return result
        }
        switch context.scopes.resolve(name, .executor, from: scope) {
        case .notFound:
            let known = context.scopes.visibleNames(.executor)
            decoder.error(
                entry.value.location, "unknown executor '\(name)'",
                hint: known.isEmpty
                    ? "define it under the top-level 'executors:' key"
                    : "executors: \(known.joined(separator: ", "))")
            return result
        case .missingOrb(let message):
            context.missingOrbUse(
                entry.value.location, "executor '\(name)' comes from a missing orb; the job fails when run",
                hint: message)
            leadingSteps.append(MissingOrb.step(name, message: message, at: entry.value.location))
            return result
        case .found(let definition, let executorScope, let qualified):
            let path = "executors.\(qualified)"
            guard let fields = decoder.mapping(definition, path) else { return result }
            decoder.checkKeys(fields, in: path, known: Self.executorDefinitionKeys)
            let element = "executor '\(qualified)'"
            let declarations = context.binding.declarations(
                definition["parameters"], path: "\(path).parameters", element: element)
            let values = context.bind(
                declarations, arguments: arguments, element: element, at: entry.value.location, scope: executorScope)
            let body = context.budget.expanding(element, at: entry.value.location) {
                context.substitution.substitute(
                    Self.removing(["parameters", "description"], from: definition),
                    context.elementScope(values, element: element, scope: executorScope))
            }
            let jobHasEnvironment = JobCompiler.executorKeys.contains { key in result.contains { $0.key == key } }
            for field in body.entries ?? [] where !result.contains(where: { $0.key == field.key }) {
                if jobHasEnvironment, JobCompiler.executorKeys.contains(field.key) { continue }
                result.append(field)
            }
            if let executorEnvironment = body["environment"],
                let index = result.firstIndex(where: { $0.key == "environment" })
            {
                result[index].value = Self.mergedEnvironment(executorEnvironment, result[index].value)
            }
            return result
        }
    }

    /// The name and arguments of `executor: name` or `executor: {name: …, args…}`.
    func executorReference(_ node: ConfigNode) -> (String, [ConfigMappingEntry])? {
        if let scalar = node.scalar, !scalar.isNull { return (scalar.text, []) }
        if let entries = node.entries, let name = node["name"]?.scalar?.text {
            return (name, entries.filter { $0.key != "name" })
        }
        decoder.error(
            node.location, "'executor' must be an executor name or a mapping with 'name', got \(node.kindDescription)")
        return nil
    }

    /// The executor's variables overridden by the job's, in the executor's order, then the job's new ones.
    static func mergedEnvironment(_ executor: ConfigNode, _ job: ConfigNode) -> ConfigNode {
        guard let base = NodeDecoder.environmentEntries(executor), let overrides = NodeDecoder.environmentEntries(job)
        else { return job }
        var merged = base
        for entry in overrides {
            if let index = merged.firstIndex(where: { $0.key == entry.key }) {
                merged[index] = entry
            } else {
                merged.append(entry)
            }
        }
        return ConfigNode(.mapping(merged), at: job.location)
    }

    /// `node` (a mapping) without the entries named `keys`.
    static func removing(_ keys: Set<String>, from node: ConfigNode) -> ConfigNode {
        guard let entries = node.entries else { return node }
        return ConfigNode(.mapping(entries.filter { !keys.contains($0.key) }), at: node.location)
    }
}

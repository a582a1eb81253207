// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
import CIBoxYAML

/// Reads `$CIBOX_HOME/settings.yml`, reporting every problem with its line (a bad settings file is an error
/// the user fixes, never a silent default).
package enum SettingsLoader {
    /// The settings in `text` (shown as `path` in diagnostics).
    /// - Returns: the settings (nil when there are errors) and the diagnostics.
    package static func load(_ text: String, path: String) -> (Settings?, [Diagnostic]) {
        let (root, parseDiagnostics) = YAMLReader.parse(text, file: path)
        var diagnostics = parseDiagnostics
        if diagnostics.containsError { return (nil, diagnostics) }
        guard let root else { return (Settings(), diagnostics) }
        if root.isNull { return (Settings(), diagnostics) }
        guard let entries = root.entries else {
            diagnostics.append(Diagnostic(.error, at: root.location, "settings must be a mapping of keys to values"))
            return (nil, diagnostics)
        }
        var settings = Settings()
        for entry in entries {
            switch entry.key {
            case "capacity":
                settings.capacity = capacity(entry.value, &diagnostics)
            case "resource_classes":
                for item in entry.value.entries ?? [] {
                    if let resourceClass = resourceClass(item, &diagnostics) {
                        settings.resourceClasses[item.key] = resourceClass
                    }
                }
            case "job_time_limit":
                if let seconds = duration(entry.value, &diagnostics) { settings.jobTimeLimit = seconds }
            case "no_output_timeout":
                if let seconds = duration(entry.value, &diagnostics) { settings.noOutputTimeout = seconds }
            case "contexts":
                settings.contexts = variableGroups(entry.value, what: "context", &diagnostics)
            case "project_environment":
                settings.projectEnvironment = variableGroups(entry.value, what: "project", &diagnostics)
            case "cgroups":
                if let value = entry.value.scalar?.bool {
                    settings.usesCgroups = value
                } else {
                    diagnostics.append(Diagnostic(.error, at: entry.value.location, "'cgroups' must be true or false"))
                }
            case "report":
                if let value = entry.value.scalar?.bool {
                    settings.writesReport = value
                } else {
                    diagnostics.append(Diagnostic(.error, at: entry.value.location, "'report' must be true or false"))
                }
            case "daemon", "auto_cancel", "gc", "notify", "run_as":
                loadOperations(entry, into: &settings, &diagnostics)
            case "executor", "executors", "project_executor":
                loadExecutors(entry, into: &settings, &diagnostics)
            default:
                diagnostics.append(
                    Diagnostic(.warning, at: entry.keyLocation, "unknown settings key '\(entry.key)' is ignored")
                )
            }
        }
        checkExecutorReferences(entries, settings: settings, &diagnostics)
        return diagnostics.containsError ? (nil, diagnostics) : (settings, diagnostics)
    }

    /// `NAME: { KEY: value, … }` groups of variables (contexts, project environments).
    private static func variableGroups(
        _ node: ConfigNode, what: String, _ diagnostics: inout [Diagnostic]
    ) -> [String: [String: String]] {
        guard let groups = node.entries else {
            diagnostics.append(
                Diagnostic(.error, at: node.location, "expected a mapping of \(what) names to variables"))
            return [:]
        }
        var result: [String: [String: String]] = [:]
        for group in groups {
            var variables: [String: String] = [:]
            for variable in group.value.entries ?? [] {
                guard let value = variable.value.scalar?.text else {
                    diagnostics.append(
                        Diagnostic(
                            .error, at: variable.value.location,
                            "'\(variable.key)' in \(what) '\(group.key)' must be a plain value")
                    )
                    continue
                }
                variables[variable.key] = value
            }
            if group.value.entries == nil {
                diagnostics.append(
                    Diagnostic(
                        .error, at: group.value.location,
                        "\(what) '\(group.key)' must be a mapping of variable names to values")
                )
            }
            result[group.key] = variables
        }
        return result
    }

    private static func capacity(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> Capacity? {
        guard let cpus = cpus(node["cpus"], in: node, &diagnostics),
            let memory = memory(node["memory"], in: node, &diagnostics)
        else { return nil }
        return Capacity(millicores: cpus, memoryBytes: memory)
    }

    private static func resourceClass(_ entry: ConfigMappingEntry, _ diagnostics: inout [Diagnostic]) -> ResourceClass?
    {
        let node = entry.value
        var executor: ExecutorKind?
        if let executorNode = node["executor"] {
            guard let kind = executorKind(executorNode, &diagnostics) else { return nil }
            executor = kind
        }
        // A built-in class may name only its executor and keep its size: `large: { executor: slurm }`.
        if var builtIn = Settings.builtInClasses.first(where: { $0.name == entry.key }), executor != nil,
            node["cpus"] == nil, node["memory"] == nil
        {
            builtIn.executor = executor
            return builtIn
        }
        guard let cpus = cpus(node["cpus"], in: node, &diagnostics),
            let memory = memory(node["memory"], in: node, &diagnostics)
        else { return nil }
        var pids = 4096
        if let pidsNode = node["pids"] {
            guard let value = pidsNode.scalar?.int, value > 0 else {
                diagnostics.append(Diagnostic(.error, at: pidsNode.location, "'pids' must be a positive whole number"))
                return nil
            }
            pids = value
        }
        return ResourceClass(name: entry.key, millicores: cpus, memoryBytes: memory, pids: pids, executor: executor)
    }

    private static func cpus(_ node: ConfigNode?, in parent: ConfigNode, _ diagnostics: inout [Diagnostic]) -> Int? {
        guard let node else {
            diagnostics.append(
                Diagnostic(.error, at: parent.location, "missing 'cpus' (a number of CPUs, such as 2 or 0.5)"))
            return nil
        }
        guard let text = node.scalar?.text, let value = Double(text), value > 0 else {
            diagnostics.append(
                Diagnostic(.error, at: node.location, "'cpus' must be a positive number, such as 2 or 0.5"))
            return nil
        }
        return Int((value * 1000).rounded())
    }

    private static func memory(_ node: ConfigNode?, in parent: ConfigNode, _ diagnostics: inout [Diagnostic]) -> Int64?
    {
        guard let node else {
            diagnostics.append(
                Diagnostic(.error, at: parent.location, "missing 'memory' (bytes, or with K, M, G, KiB, MiB, GiB)"))
            return nil
        }
        guard let text = node.scalar?.text, let bytes = ByteCount.parse(text), bytes > 0 else {
            diagnostics.append(
                Diagnostic(
                    .error, at: node.location, "'memory' must be a size such as 4GiB, 512M or 1073741824",
                    hint: "units: K, M, G, KiB, MiB, GiB (all binary)"
                )
            )
            return nil
        }
        return bytes
    }

    private static func duration(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> Double? {
        guard let text = node.scalar?.text, let seconds = CircleDuration.seconds(from: text), seconds > 0 else {
            diagnostics.append(Diagnostic(.error, at: node.location, "expected a duration such as 10m, 1h30m or 90s"))
            return nil
        }
        return seconds
    }
}

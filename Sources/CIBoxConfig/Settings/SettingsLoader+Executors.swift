// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

extension SettingsLoader {
    /// The executor keys: `executor`, `executors` and `project_executor`.
    static func loadExecutors(
        _ entry: ConfigMappingEntry, into settings: inout Settings, _ diagnostics: inout [Diagnostic]
    ) {
        switch entry.key {
        case "executor":
            if let kind = executorKind(entry.value, &diagnostics) { settings.defaultExecutor = kind }
        case "project_executor":
            guard let projects = entry.value.entries else {
                diagnostics.append(
                    Diagnostic(
                        .error, at: entry.value.location, "'project_executor' must map project names to executors"))
                return
            }
            for project in projects {
                if let kind = executorKind(project.value, &diagnostics) {
                    settings.projectExecutors[project.key] = kind
                }
            }
        default:
            guard let executors = entry.value.entries else {
                diagnostics.append(
                    Diagnostic(.error, at: entry.value.location, "'executors' must be a mapping such as 'slurm: {…}'"))
                return
            }
            for executor in executors {
                guard executor.key == "slurm" else {
                    diagnostics.append(
                        Diagnostic(
                            .error, at: executor.keyLocation,
                            "unknown executor '\(executor.key)' under 'executors'; cibox knows 'slurm' (and 'local', "
                                + "which needs no settings)"))
                    continue
                }
                settings.slurm = slurm(executor.value, &diagnostics)
            }
        }
    }

    /// `local` or `slurm`.
    static func executorKind(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> ExecutorKind? {
        guard let text = node.scalar?.text, let kind = ExecutorKind(rawValue: text) else {
            diagnostics.append(
                Diagnostic(
                    .error, at: node.location, "executor must be 'local' or 'slurm', not \(node.kindDescription)"))
            return nil
        }
        return kind
    }

    /// `executors.slurm`: `shared_directory` (required, absolute), `partition`, `account`, `sbatch_arguments`,
    /// `cibox`, `poll_interval`.
    private static func slurm(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> SlurmSettings? {
        guard let entries = node.entries else {
            diagnostics.append(Diagnostic(.error, at: node.location, "'slurm' must be a mapping"))
            return nil
        }
        var settings = SlurmSettings(sharedDirectory: "")
        for item in entries {
            switch item.key {
            case "shared_directory":
                let what = "an absolute path that every node sees, such as /shared/cibox"
                if let path = absolutePath(item, what, &diagnostics) {
                    settings.sharedDirectory = Paths.normalize(path)
                }
            case "partition", "account":
                guard let text = item.value.scalar?.text, !text.isEmpty else {
                    diagnostics.append(Diagnostic(.error, at: item.value.location, "'\(item.key)' must be a name"))
                    continue
                }
                if item.key == "partition" { settings.partition = text } else { settings.account = text }
            case "sbatch_arguments":
                settings.sbatchArguments = arguments(item.value, &diagnostics)
            case "cibox":
                settings.ciboxPath = absolutePath(
                    item, "the absolute path of the cibox binary on the nodes", &diagnostics)
            case "poll_interval":
                guard let text = item.value.scalar?.text, let seconds = longDuration(text), seconds > 0 else {
                    diagnostics.append(
                        Diagnostic(
                            .error, at: item.value.location, "'poll_interval' must be a duration such as 1s or 0.5s"))
                    continue
                }
                settings.pollInterval = seconds
            default:
                diagnostics.append(
                    Diagnostic(.warning, at: item.keyLocation, "unknown key '\(item.key)' in 'slurm' is ignored"))
            }
        }
        guard !settings.sharedDirectory.isEmpty else {
            diagnostics.append(
                Diagnostic(
                    .error, at: node.location,
                    "'slurm' needs 'shared_directory': a folder every node sees at the same path (job folders, logs, "
                        + "caches, workspaces and artifacts go there)"))
            return nil
        }
        return settings
    }

    /// The absolute path in `item`, or nil after an error saying it must be `what`.
    private static func absolutePath(
        _ item: ConfigMappingEntry, _ what: String, _ diagnostics: inout [Diagnostic]
    ) -> String? {
        guard let path = item.value.scalar?.text, path.hasPrefix("/") else {
            diagnostics.append(Diagnostic(.error, at: item.value.location, "'\(item.key)' must be \(what)"))
            return nil
        }
        return path
    }

    /// A list of `sbatch` arguments (or one string, split at white space).
    private static func arguments(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> [String] {
        if let text = node.scalar?.text {
            return text.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        var result: [String] = []
        for element in node.elements ?? [] {
            guard let text = element.scalar?.text else {
                diagnostics.append(Diagnostic(.error, at: element.location, "each sbatch argument must be a string"))
                continue
            }
            result.append(text)
        }
        if node.elements == nil {
            diagnostics.append(
                Diagnostic(.error, at: node.location, "'sbatch_arguments' must be a list such as [--qos=ci]"))
        }
        return result
    }

    /// An error at the first place that asks for Slurm when `executors.slurm` is missing.
    static func checkExecutorReferences(
        _ root: [ConfigMappingEntry], settings: Settings, _ diagnostics: inout [Diagnostic]
    ) {
        guard settings.slurm == nil else { return }
        var places: [SourceLocation] = []
        for entry in root {
            switch entry.key {
            case "executor" where entry.value.scalar?.text == "slurm":
                places.append(entry.value.location)
            case "project_executor":
                places += (entry.value.entries ?? []).filter { $0.value.scalar?.text == "slurm" }.map(\.value.location)
            case "resource_classes":
                places += (entry.value.entries ?? []).compactMap { $0.value["executor"] }
                    .filter { $0.scalar?.text == "slurm" }.map(\.location)
            default:
                continue
            }
        }
        guard let first = places.first else { return }
        diagnostics.append(
            Diagnostic(
                .error, at: first, "jobs are sent to Slurm here, but 'executors: { slurm: … }' is not set",
                hint: "add executors: { slurm: { shared_directory: /shared/cibox, partition: … } }"))
    }
}

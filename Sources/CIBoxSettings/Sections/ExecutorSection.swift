// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `executor`, `project_executor` and `executors`: where job runs go, and the Slurm cluster's settings.
enum ExecutorSection: SettingsSection {
    static let keys: Set<String> = ["executor", "executors", "project_executor"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        switch entry.key {
        case "executor":
            if let kind = SettingsValues.executorKind(entry.value, decoder) { settings.defaultExecutor = kind }
        case "project_executor":
            guard let projects = entry.value.entries else {
                decoder.error(entry.value.location, "'project_executor' must map project names to executors")
                return
            }
            for project in projects {
                if let kind = SettingsValues.executorKind(project.value, decoder) {
                    settings.projectExecutors[project.key] = kind
                }
            }
        default:
            guard let executors = entry.value.entries else {
                decoder.error(entry.value.location, "'executors' must be a mapping such as 'slurm: {…}'")
                return
            }
            for executor in executors {
                guard executor.key == "slurm" else {
                    decoder.error(
                        executor.keyLocation,
                        "unknown executor '\(executor.key)' under 'executors'; cibox knows 'slurm' (and 'local', "
                            + "which needs no settings)")
                    continue
                }
                settings.slurm = SlurmSettingsReader.slurm(executor.value, decoder)
            }
        }
    }

    /// An error at the first place that asks for Slurm when `executors.slurm` is missing.
    static func check(_ root: [ConfigMappingEntry], settings: Settings, _ decoder: NodeDecoder) {
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
        decoder.error(
            first, "jobs are sent to Slurm here, but 'executors: { slurm: … }' is not set",
            hint: "add executors: { slurm: { shared_directory: /shared/cibox, partition: … } }")
    }
}

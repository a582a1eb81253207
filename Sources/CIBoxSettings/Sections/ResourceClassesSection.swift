// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `resource_classes: { NAME: { cpus, memory, pids, executor } }`: classes of the settings' own, or a built-in class
/// sent to another executor.
enum ResourceClassesSection: SettingsSection {
    static let keys: Set<String> = ["resource_classes"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in entry.value.entries ?? [] {
            if let resourceClass = resourceClass(item, decoder) {
                settings.resourceClasses[item.key] = resourceClass
            }
        }
    }

    /// One class; nil after an error.
    private static func resourceClass(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> ResourceClass? {
        let node = entry.value
        var executor: ExecutorKind?
        if let executorNode = node["executor"] {
            guard let kind = SettingsValues.executorKind(executorNode, decoder) else { return nil }
            executor = kind
        }
        // A built-in class may name only its executor and keep its size: `large: { executor: slurm }`.
        if var builtIn = Settings.builtInClasses.first(where: { $0.name == entry.key }), executor != nil,
            node["cpus"] == nil, node["memory"] == nil
        {
            builtIn.executor = executor
            return builtIn
        }
        guard let cpus = SettingsValues.cpus(node["cpus"], in: node, decoder),
            let memory = SettingsValues.memory(node["memory"], in: node, decoder)
        else { return nil }
        var pids = 4096
        if let pidsNode = node["pids"] {
            guard let value = pidsNode.scalar?.int, value > 0 else {
                decoder.error(pidsNode.location, "'pids' must be a positive whole number")
                return nil
            }
            pids = value
        }
        return ResourceClass(name: entry.key, millicores: cpus, memoryBytes: memory, pids: pids, executor: executor)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `capacity: { cpus, memory }`: what jobs share (default: this machine's cores and memory).
enum CapacitySection: SettingsSection {
    static let keys: Set<String> = ["capacity"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        let node = entry.value
        guard let cpus = SettingsValues.cpus(node["cpus"], in: node, decoder),
            let memory = SettingsValues.memory(node["memory"], in: node, decoder)
        else {
            settings.capacity = nil
            return
        }
        settings.capacity = Capacity(millicores: cpus, memoryBytes: memory)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// `config: { max_expanded_bytes }`: how much a config may cost to read.
enum ConfigSection: SettingsSection {
    static let keys: Set<String> = ["config"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "max_expanded_bytes":
                if let limit = size(item.value, decoder) { settings.config.maxExpandedBytes = limit }
            default: SettingsValues.unknown(item, in: "config", decoder)
            }
        }
    }

    /// A positive size such as `32MiB`, in bytes.
    static func size(_ node: ConfigNode, _ decoder: NodeDecoder) -> Int? {
        guard let text = node.scalar?.text, let bytes = ByteCount.parse(text), bytes > 0,
            let limit = Int(exactly: bytes)
        else {
            decoder.error(node.location, "'max_expanded_bytes' must be a size such as 32MiB or 64M")
            return nil
        }
        return limit
    }
}

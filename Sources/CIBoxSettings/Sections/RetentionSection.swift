// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// `gc: { older_than, every, keep_last, cache_size }`: retention of pipelines and caches.
enum RetentionSection: SettingsSection {
    static let keys: Set<String> = ["gc"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "older_than":
                if let value = SettingsValues.longDuration(item.value, decoder) { settings.retention.olderThan = value }
            case "every":
                if let value = SettingsValues.longDuration(item.value, decoder) { settings.retention.every = value }
            case "keep_last":
                if let value = item.value.scalar?.int, value >= 0 {
                    settings.retention.keepLast = value
                } else {
                    decoder.error(item.value.location, "'keep_last' must be a whole number, 0 or more")
                }
            case "cache_size":
                if let text = item.value.scalar?.text, let bytes = ByteCount.parse(text), bytes >= 0 {
                    settings.retention.cacheSize = bytes
                } else {
                    decoder.error(item.value.location, "'cache_size' must be a size such as 5GiB or 500M")
                }
            default: SettingsValues.unknown(item, in: "gc", decoder)
            }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// `artifacts: { max_size }`: how many bytes of artifacts one job run may store (2 GiB by default). What would pass
/// it is refused before anything is written, with a message naming this setting.
enum ArtifactsSection: SettingsSection {
    static let keys: Set<String> = ["artifacts"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "max_size":
                guard let text = item.value.scalar?.text, let bytes = ByteCount.parse(text), bytes > 0 else {
                    decoder.error(
                        item.value.location, "'max_size' must be a size such as 2GiB, 500M or 1073741824",
                        hint: "units: K, M, G, KiB, MiB, GiB (all binary)")
                    continue
                }
                settings.artifactLimit = bytes
            default: SettingsValues.unknown(item, in: "artifacts", decoder)
            }
        }
    }
}

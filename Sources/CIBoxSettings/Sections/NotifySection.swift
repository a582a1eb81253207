// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `notify: { command }`: an executable that gets each finished pipeline's JSON.
enum NotifySection: SettingsSection {
    static let keys: Set<String> = ["notify"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            guard item.key == "command" else {
                SettingsValues.unknown(item, in: "notify", decoder)
                continue
            }
            if let text = item.value.scalar?.text, !text.isEmpty {
                settings.notifyCommand = text
            } else {
                decoder.error(item.value.location, "'command' must be the path of an executable")
            }
        }
    }
}

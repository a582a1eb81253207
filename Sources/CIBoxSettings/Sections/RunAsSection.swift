// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `run_as: USER`: the user jobs run as when cibox runs as root.
enum RunAsSection: SettingsSection {
    static let keys: Set<String> = ["run_as"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        if let text = entry.value.scalar?.text, !text.isEmpty {
            settings.runAs = text
        } else {
            decoder.error(entry.value.location, "'run_as' must be a user name")
        }
    }
}

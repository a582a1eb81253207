// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `cgroups` and `report`: what cibox may do on this machine.
enum SwitchesSection: SettingsSection {
    static let keys: Set<String> = ["cgroups", "report"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        guard let value = SettingsValues.bool(entry, decoder) else { return }
        if entry.key == "cgroups" {
            settings.usesCgroups = value
        } else {
            settings.writesReport = value
        }
    }
}

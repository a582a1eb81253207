// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `cgroups`: whether cibox may make cgroups on this machine.
enum SwitchesSection: SettingsSection {
    static let keys: Set<String> = ["cgroups"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        guard let value = SettingsValues.bool(entry, decoder) else { return }
        settings.usesCgroups = value
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `auto_cancel: { default, projects: { NAME: bool } }`.
enum AutoCancelSection: SettingsSection {
    static let keys: Set<String> = ["auto_cancel"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "default":
                if let value = SettingsValues.bool(item, decoder) { settings.autoCancel.byDefault = value }
            case "projects":
                for project in SettingsValues.mapping(item, decoder) {
                    if let value = SettingsValues.bool(project, decoder) {
                        settings.autoCancel.projects[project.key] = value
                    }
                }
            default: SettingsValues.unknown(item, in: "auto_cancel", decoder)
            }
        }
    }
}

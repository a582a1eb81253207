// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `report: true | false` or `report: { enabled, world_readable }`: whether pipelines keep the HTML report up to
/// date, and whether its files may be read by every user of the machine (to serve them with a web server).
enum ReportSection: SettingsSection {
    static let keys: Set<String> = ["report"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        if entry.value.entries == nil {
            if let value = SettingsValues.bool(entry, decoder) { settings.writesReport = value }
            return
        }
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "enabled":
                if let value = SettingsValues.bool(item, decoder) { settings.writesReport = value }
            case "world_readable":
                if let value = SettingsValues.bool(item, decoder) { settings.reportIsWorldReadable = value }
            default: SettingsValues.unknown(item, in: "report", decoder)
            }
        }
    }
}

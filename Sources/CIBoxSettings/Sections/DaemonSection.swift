// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `daemon: { poll_interval, grace_period, requeue_interrupted }`.
enum DaemonSection: SettingsSection {
    static let keys: Set<String> = ["daemon"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "poll_interval":
                if let value = SettingsValues.longDuration(item.value, decoder) { settings.daemon.pollInterval = value }
            case "grace_period":
                if let value = SettingsValues.longDuration(item.value, decoder) { settings.daemon.gracePeriod = value }
            case "requeue_interrupted":
                if let value = SettingsValues.bool(item, decoder) { settings.daemon.requeueInterrupted = value }
            default: SettingsValues.unknown(item, in: "daemon", decoder)
            }
        }
    }
}

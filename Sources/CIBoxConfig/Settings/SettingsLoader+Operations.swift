// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

extension SettingsLoader {
    /// The operations keys: `daemon`, `auto_cancel`, `gc`, `notify`, `run_as`.
    static func loadOperations(
        _ entry: ConfigMappingEntry, into settings: inout Settings, _ diagnostics: inout [Diagnostic]
    ) {
        switch entry.key {
        case "daemon":
            for item in mapping(entry, &diagnostics) {
                switch item.key {
                case "poll_interval":
                    if let value = longDuration(item.value, &diagnostics) { settings.daemon.pollInterval = value }
                case "grace_period":
                    if let value = longDuration(item.value, &diagnostics) { settings.daemon.gracePeriod = value }
                case "requeue_interrupted":
                    if let value = bool(item, &diagnostics) { settings.daemon.requeueInterrupted = value }
                default: unknown(item, in: "daemon", &diagnostics)
                }
            }
        case "auto_cancel":
            for item in mapping(entry, &diagnostics) {
                switch item.key {
                case "default":
                    if let value = bool(item, &diagnostics) { settings.autoCancel.byDefault = value }
                case "projects":
                    for project in mapping(item, &diagnostics) {
                        if let value = bool(project, &diagnostics) { settings.autoCancel.projects[project.key] = value }
                    }
                default: unknown(item, in: "auto_cancel", &diagnostics)
                }
            }
        case "gc":
            loadRetention(entry, into: &settings, &diagnostics)
        case "notify":
            for item in mapping(entry, &diagnostics) {
                guard item.key == "command" else {
                    unknown(item, in: "notify", &diagnostics)
                    continue
                }
                if let text = item.value.scalar?.text, !text.isEmpty {
                    settings.notifyCommand = text
                } else {
                    diagnostics.append(
                        Diagnostic(.error, at: item.value.location, "'command' must be the path of an executable"))
                }
            }
        default:
            if let text = entry.value.scalar?.text, !text.isEmpty {
                settings.runAs = text
            } else {
                diagnostics.append(Diagnostic(.error, at: entry.value.location, "'run_as' must be a user name"))
            }
        }
    }

    private static func loadRetention(
        _ entry: ConfigMappingEntry, into settings: inout Settings, _ diagnostics: inout [Diagnostic]
    ) {
        for item in mapping(entry, &diagnostics) {
            switch item.key {
            case "older_than":
                if let value = longDuration(item.value, &diagnostics) { settings.retention.olderThan = value }
            case "every":
                if let value = longDuration(item.value, &diagnostics) { settings.retention.every = value }
            case "keep_last":
                if let value = item.value.scalar?.int, value >= 0 {
                    settings.retention.keepLast = value
                } else {
                    diagnostics.append(
                        Diagnostic(.error, at: item.value.location, "'keep_last' must be a whole number, 0 or more"))
                }
            case "cache_size":
                if let text = item.value.scalar?.text, let bytes = ByteCount.parse(text), bytes >= 0 {
                    settings.retention.cacheSize = bytes
                } else {
                    diagnostics.append(
                        Diagnostic(
                            .error, at: item.value.location, "'cache_size' must be a size such as 5GiB or 500M"))
                }
            default: unknown(item, in: "gc", &diagnostics)
            }
        }
    }

    /// Seconds in a duration with days and weeks allowed: `30d`, `2w`, `1h30m`, `90s`, `90`.
    package static func longDuration(_ text: String) -> Double? {
        let trimmed = String(text.filter { !$0.isWhitespace })
        for (unit, seconds) in [("d", 86_400.0), ("w", 604_800.0)] where trimmed.hasSuffix(unit) {
            guard let value = Double(trimmed.dropLast()), value >= 0 else { return nil }
            return value * seconds
        }
        return CircleDuration.seconds(from: trimmed)
    }

    private static func longDuration(_ node: ConfigNode, _ diagnostics: inout [Diagnostic]) -> Double? {
        guard let text = node.scalar?.text, let seconds = longDuration(text), seconds > 0 else {
            diagnostics.append(Diagnostic(.error, at: node.location, "expected a duration such as 2s, 1h, 30d or 2w"))
            return nil
        }
        return seconds
    }

    private static func mapping(_ entry: ConfigMappingEntry, _ diagnostics: inout [Diagnostic]) -> [ConfigMappingEntry]
    {
        guard let entries = entry.value.entries else {
            diagnostics.append(Diagnostic(.error, at: entry.value.location, "'\(entry.key)' must be a mapping"))
            return []
        }
        return entries
    }

    private static func bool(_ entry: ConfigMappingEntry, _ diagnostics: inout [Diagnostic]) -> Bool? {
        guard let value = entry.value.scalar?.bool else {
            diagnostics.append(Diagnostic(.error, at: entry.value.location, "'\(entry.key)' must be true or false"))
            return nil
        }
        return value
    }

    private static func unknown(_ entry: ConfigMappingEntry, in parent: String, _ diagnostics: inout [Diagnostic]) {
        diagnostics.append(
            Diagnostic(.warning, at: entry.keyLocation, "unknown key '\(entry.key)' in '\(parent)' is ignored"))
    }
}

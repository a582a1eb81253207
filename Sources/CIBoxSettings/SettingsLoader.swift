// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
import CIBoxYAML

/// Reads `$CIBOX_HOME/settings.yml`, reporting every problem with its line (a bad settings file is an error
/// the user fixes, never a silent default).
///
/// Each top-level key belongs to one ``SettingsSection``; a key no section reads is a warning.
package enum SettingsLoader {
    /// Every section, in the order their cross-key checks run.
    static let sections: [any SettingsSection.Type] = [
        CapacitySection.self, ResourceClassesSection.self, TimeLimitsSection.self, VariableGroupsSection.self,
        SwitchesSection.self, ReportSection.self, DaemonSection.self, AutoCancelSection.self, RetentionSection.self,
        NotifySection.self, ArtifactsSection.self, RunAsSection.self, ExecutorSection.self, ConfigSection.self,
        ImagesSection.self, HTTPSection.self,
    ]

    /// The section that reads each top-level key.
    static let sectionsByKey: [String: any SettingsSection.Type] = {
        var result: [String: any SettingsSection.Type] = [:]
        for section in sections {
            for key in section.keys { result[key] = section }
        }
        return result
    }()

    /// The settings in `text` (shown as `path` in diagnostics).
    /// - Returns: the settings (nil when there are errors) and the diagnostics.
    package static func load(_ text: String, path: String) -> (Settings?, [Diagnostic]) {
        let (root, parseDiagnostics) = YAMLReader.parse(text, file: path)
        if parseDiagnostics.containsError { return (nil, parseDiagnostics) }
        guard let root, !root.isNull else { return (Settings(), parseDiagnostics) }
        let decoder = NodeDecoder()
        decoder.append(parseDiagnostics)
        guard let entries = root.entries else {
            decoder.error(root.location, "settings must be a mapping of keys to values")
            return (nil, decoder.diagnostics)
        }
        var settings = Settings()
        for entry in entries {
            guard let section = sectionsByKey[entry.key] else {
                decoder.warning(entry.keyLocation, "unknown settings key '\(entry.key)' is ignored")
                continue
            }
            section.load(entry, into: &settings, decoder)
        }
        for section in sections {
            section.check(entries, settings: settings, decoder)
        }
        return decoder.diagnostics.containsError ? (nil, decoder.diagnostics) : (settings, decoder.diagnostics)
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
}

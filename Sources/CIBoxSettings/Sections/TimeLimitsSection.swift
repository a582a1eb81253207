// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `job_time_limit` and `no_output_timeout`: how long a job run, and a step without output, may take.
enum TimeLimitsSection: SettingsSection {
    static let keys: Set<String> = ["job_time_limit", "no_output_timeout"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        guard let seconds = SettingsValues.duration(entry.value, decoder) else { return }
        if entry.key == "job_time_limit" {
            settings.jobTimeLimit = seconds
        } else {
            settings.noOutputTimeout = seconds
        }
    }
}

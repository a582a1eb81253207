// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `contexts` and `project_environment`: `NAME: { KEY: value, … }` groups of variables.
enum VariableGroupsSection: SettingsSection {
    static let keys: Set<String> = ["contexts", "project_environment"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        if entry.key == "contexts" {
            settings.contexts = variableGroups(entry.value, what: "context", decoder)
        } else {
            settings.projectEnvironment = variableGroups(entry.value, what: "project", decoder)
        }
    }

    /// The groups of `node`, by name; `what` names a group in messages.
    private static func variableGroups(
        _ node: ConfigNode, what: String, _ decoder: NodeDecoder
    ) -> [String: [String: String]] {
        guard let groups = node.entries else {
            decoder.error(node.location, "expected a mapping of \(what) names to variables")
            return [:]
        }
        var result: [String: [String: String]] = [:]
        for group in groups {
            var variables: [String: String] = [:]
            for variable in group.value.entries ?? [] {
                guard let value = variable.value.scalar?.text else {
                    decoder.error(
                        variable.value.location, "'\(variable.key)' in \(what) '\(group.key)' must be a plain value")
                    continue
                }
                variables[variable.key] = value
            }
            if group.value.entries == nil {
                decoder.error(
                    group.value.location, "\(what) '\(group.key)' must be a mapping of variable names to values")
            }
            result[group.key] = variables
        }
        return result
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import OrderedCollections

extension NodeDecoder {
    /// An `environment:` value: a mapping, or a list of single-entry mappings, in the order written.
    ///
    /// Values are rendered as strings: plain booleans as `true`/`false`, numbers as written, null as empty.
    func environment(_ node: ConfigNode, _ path: String) -> [EnvironmentVariable]? {
        if let entries = node.entries {
            return entries.compactMap { variable($0, path) }
        }
        guard let elements = node.elements else {
            error(node.location, "'\(path)' must be a mapping of variable names to values, got \(node.kindDescription)")
            return nil
        }
        var result: [EnvironmentVariable] = []
        for (index, element) in elements.enumerated() {
            guard let entries = element.entries, entries.count == 1, let entry = entries.first else {
                error(
                    element.location, "'\(path)[\(index)]' must be a single 'NAME: value' entry",
                    hint: "write the variables as a mapping: 'NAME: value' under '\(path)'")
                continue
            }
            if let variable = variable(entry, path) { result.append(variable) }
        }
        return Self.lastDefinitionWins(result)
    }

    private func variable(_ entry: ConfigMappingEntry, _ path: String) -> EnvironmentVariable? {
        guard let scalar = entry.value.scalar else {
            error(
                entry.value.location,
                "'\(path).\(entry.key)' must be a string, number or boolean, got \(entry.value.kindDescription)")
            return nil
        }
        let value: String =
            if let bool = scalar.strictBool { bool ? "true" : "false" } else if scalar.isNull { "" } else {
                scalar.text
            }
        return EnvironmentVariable(name: entry.key, value: value)
    }

    /// Keeps the last value of a name given twice in a list, at the place of its first occurrence.
    private static func lastDefinitionWins(_ variables: [EnvironmentVariable]) -> [EnvironmentVariable] {
        var result: OrderedDictionary<String, EnvironmentVariable> = [:]
        for variable in variables { result[variable.name] = variable }
        return Array(result.values)
    }
}

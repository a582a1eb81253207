// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import OrderedCollections

extension NodeDecoder {
    /// The hint of every `environment:` error: the forms CircleCI's schema allows.
    static let environmentHint =
        "write 'NAME: value' entries under it, a 'NAME=value' string, or a list of either"

    /// An `environment:` value in any of the forms CircleCI's schema allows, in the order written: a mapping, a
    /// `NAME=value` string, or a list of single-entry mappings and `NAME=value` strings.
    ///
    /// Values are rendered as strings: plain booleans as `true`/`false`, numbers as written, null as empty.
    func environment(_ node: ConfigNode, _ path: String) -> [EnvironmentVariable]? {
        if let entries = node.entries {
            return entries.compactMap { variable($0, path) }
        }
        if let scalar = node.scalar, !scalar.isNull {
            guard let entry = Self.assignment(scalar, at: node.location) else {
                error(
                    node.location, "'\(path)' must be 'NAME=value', got \(node.kindDescription)",
                    hint: Self.environmentHint)
                return nil
            }
            return variable(entry, path).map { [$0] }
        }
        guard let elements = node.elements else {
            error(
                node.location, "'\(path)' must be a mapping of variable names to values, got \(node.kindDescription)",
                hint: Self.environmentHint)
            return nil
        }
        var result: [EnvironmentVariable] = []
        for (index, element) in elements.enumerated() {
            guard let entry = Self.environmentEntry(element) else {
                error(
                    element.location,
                    "'\(path)[\(index)]' must be a single 'NAME: value' entry or a 'NAME=value' string",
                    hint: Self.environmentHint)
                continue
            }
            if let variable = variable(entry, path) { result.append(variable) }
        }
        return Self.lastDefinitionWins(result)
    }

    /// The variables of an `environment:` value in any of its forms as mapping entries, leaving out what is not a
    /// variable (reported by ``environment(_:_:)`` when the job is compiled); `nil` when it has no form at all.
    static func environmentEntries(_ node: ConfigNode) -> [ConfigMappingEntry]? {
        if let entries = node.entries { return entries }
        if let scalar = node.scalar { return assignment(scalar, at: node.location).map { [$0] } }
        return node.elements?.compactMap(environmentEntry)
    }

    /// One element of an `environment:` list: a single-entry mapping or a `NAME=value` string.
    private static func environmentEntry(_ element: ConfigNode) -> ConfigMappingEntry? {
        if let scalar = element.scalar { return assignment(scalar, at: element.location) }
        guard let entries = element.entries, entries.count == 1 else { return nil }
        return entries.first
    }

    /// `NAME=value` as an entry (the value is everything after the first `=`, a string); `nil` without a name.
    private static func assignment(_ scalar: ConfigScalar, at location: SourceLocation) -> ConfigMappingEntry? {
        guard !scalar.isNull, let equals = scalar.text.firstIndex(of: "="), equals > scalar.text.startIndex else {
            return nil
        }
        let value = ConfigScalar(String(scalar.text[scalar.text.index(after: equals)...]), isQuoted: true)
        return ConfigMappingEntry(
            key: String(scalar.text[..<equals]), keyLocation: location, value: ConfigNode(.scalar(value), at: location))
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

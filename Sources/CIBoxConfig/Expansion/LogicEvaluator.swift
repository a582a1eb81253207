// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// Logic statements (`when`/`unless` of steps and workflows): `and`, `or`, `not`, `equal`, `matches` and literals.
struct LogicEvaluator {
    /// How deep logic statements may nest (CircleCI's limit).
    static let depthLimit = 100

    /// Where problems go.
    let decoder: NodeDecoder
    /// The definition of the executor a name stands for where the statement is, if any: `equal` compares an
    /// executor-typed value (a name, or a mapping with `name`) by its definition, as CircleCI does after expansion,
    /// so that `equal: [*macos_executor, << parameters.platform >>]` holds when the parameter names that executor.
    var executorDefinition: (String) -> ConfigNode? = { _ in nil }

    /// The value of a logic statement (already substituted): a literal, or a mapping with one of `and`, `or`,
    /// `not`, `equal`, `matches`. Reports a malformed statement and returns `nil`.
    func evaluate(_ node: ConfigNode, path: String, depth: Int = 0) -> Bool? {
        guard depth < Self.depthLimit else {
            decoder.error(node.location, "'\(path)' nests logic statements more than \(Self.depthLimit) deep")
            return nil
        }
        if node.scalar != nil { return node.isTruthy }
        guard let entries = node.entries, entries.count == 1, let entry = entries.first else {
            decoder.error(
                node.location,
                "'\(path)' must be a value or a mapping with one of and, or, not, equal, matches; "
                    + "got \(node.kindDescription)",
                hint: "for example 'equal: [main, << pipeline.git.branch >>]'")
            return nil
        }
        let itemPath = "\(path).\(entry.key)"
        switch entry.key {
        case "and", "or":
            guard let elements = entry.value.elements, !elements.isEmpty else {
                decoder.error(entry.value.location, "'\(itemPath)' must be a non-empty list of logic statements")
                return nil
            }
            let results = elements.enumerated().map { index, element in
                evaluate(element, path: "\(itemPath)[\(index)]", depth: depth + 1)
            }
            if results.contains(nil) { return nil }
            return entry.key == "and" ? results.allSatisfy { $0 == true } : results.contains(true)
        case "not":
            return evaluate(entry.value, path: itemPath, depth: depth + 1).map { !$0 }
        case "equal":
            guard let elements = entry.value.elements, !elements.isEmpty else {
                decoder.error(entry.value.location, "'\(itemPath)' must be a non-empty list of values")
                return nil
            }
            let values = comparedValues(elements)
            return values.dropFirst().allSatisfy { $0 == values[0] }
        case "matches":
            return evaluateMatches(entry.value, path: itemPath)
        default:
            decoder.error(
                entry.keyLocation, "unknown logic operator '\(entry.key)' in '\(path)'",
                hint: "operators are and, or, not, equal, matches")
            return nil
        }
    }

    /// The values `equal` compares: when one is a mapping (an executor's definition, through its anchor), each
    /// value that names an executor stands for that executor's definition.
    func comparedValues(_ elements: [ConfigNode]) -> [LogicValue] {
        guard elements.contains(where: { $0.entries != nil }) else { return elements.map(LogicValue.init) }
        return elements.map { element in
            let name = element.scalar.flatMap { $0.isNull ? nil : $0.text } ?? element["name"]?.scalar?.text
            return LogicValue(name.flatMap(executorDefinition) ?? element)
        }
    }

    /// `matches: {pattern, value}`: whether the whole value matches the pattern (`/…/` delimiters allowed).
    func evaluateMatches(_ node: ConfigNode, path: String) -> Bool? {
        guard node.entries != nil, let patternNode = node["pattern"], let valueNode = node["value"],
            let pattern = patternNode.scalar?.text, let value = valueNode.scalar
        else {
            decoder.error(
                node.location, "'\(path)' must be a mapping with 'pattern' and 'value'",
                hint: "for example 'matches: {pattern: \"^release-.*$\", value: << pipeline.git.branch >>}'")
            return nil
        }
        var body = Substring(pattern)
        if body.count >= 2, body.hasPrefix("/"), body.hasSuffix("/") { body = body.dropFirst().dropLast() }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(String(body))
        } catch {
            decoder.error(patternNode.location, "invalid regular expression '\(pattern)' in '\(path).pattern'")
            return nil
        }
        let text = value.isNull ? "" : value.text
        return (try? regex.wholeMatch(in: text)) != nil
    }
}

/// A scalar as `equal` compares it: typed by its YAML form, so `1` equals `1` but not `"1"`... except that
/// CircleCI compares parameter values, which keep their type, so a quoted string only equals a string.
enum LogicValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case other(ConfigNode)

    /// The comparable form of `node`.
    init(_ node: ConfigNode) {
        guard let scalar = node.scalar else {
            self = .other(Self.withoutLocations(node))
            return
        }
        if scalar.isQuoted {
            self = .string(scalar.text)
        } else if scalar.isNull {
            self = .null
        } else if let bool = scalar.strictBool {
            self = .bool(bool)
        } else if let number = Double(scalar.text) {
            self = .number(number)
        } else {
            self = .string(scalar.text)
        }
    }

    /// `node` with every location cleared, so that lists and mappings compare by value wherever they were written.
    static func withoutLocations(_ node: ConfigNode) -> ConfigNode {
        let nowhere = SourceLocation(file: "", line: 0, column: 0)
        switch node.value {
        case .scalar: return ConfigNode(node.value, at: nowhere)
        case .sequence(let elements): return ConfigNode(.sequence(elements.map(withoutLocations)), at: nowhere)
        case .mapping(let entries):
            let cleared = entries.map { entry in
                ConfigMappingEntry(key: entry.key, keyLocation: nowhere, value: withoutLocations(entry.value))
            }
            return ConfigNode(.mapping(cleared), at: nowhere)
        }
    }
}

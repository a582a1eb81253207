// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import OrderedCollections
internal import Yams

/// Parses YAML text into a ``ConfigNode`` tree with locations, applying merge keys (`<<`) on the way.
///
/// `Yams.compose` resolves aliases (an anchor redefined later in the file makes later aliases refer to the later
/// definition, as CircleCI does) but does not apply merge keys, which this type does: local keys win over merged
/// ones, and in `<<: [*a, *b]` earlier entries win over later ones.
package enum YAMLReader {
    /// The most nodes a file may expand to through aliases, against "billion laughs" files.
    static let nodeBudget = 1_000_000

    /// Parses `text`, the contents of `file`.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The file name shown in diagnostics.
    /// - Returns: The root node (`nil` for invalid YAML or an empty document) and the problems found.
    package static func parse(_ text: String, file: String) -> (root: ConfigNode?, diagnostics: [Diagnostic]) {
        if let line = lineNestingTooDeep(text) {
            let message = "the YAML nests more than \(nestingLimit) levels deep"
            return (nil, [Diagnostic(.error, at: SourceLocation(file: file, line: line, column: 1), message)])
        }
        let composed: Node?
        do {
            composed = try composeAllowingRepeatedMergeKeys(text)
        } catch {
            return (nil, [diagnostic(for: error, file: file)])
        }
        guard let composed else { return (nil, []) }
        var converter = NodeConverter(file: file)
        let root = converter.convert(composed)
        return (root, converter.diagnostics)
    }

    /// The deepest nesting a file may have (flow brackets, or block indentation and `- ` markers), so that
    /// recursive parsing and expansion stay far from the stack's limit.
    static let nestingLimit = 200

    /// The first line where the nesting estimate passes ``nestingLimit``: open `[`/`{` outside quotes across the
    /// file, or a line's leading spaces and `-` markers beyond four per level.
    static func lineNestingTooDeep(_ text: String) -> Int? {
        var flowDepth = 0
        var line = 1
        var atLineStart = true
        var blockDepth = 0
        var quote: UInt8?
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                line += 1
                atLineStart = true
                blockDepth = 0
                quote = nil
                continue
            }
            if atLineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") {
                    blockDepth += 1
                    if blockDepth > nestingLimit * 4 { return line }
                    continue
                }
                atLineStart = false
            }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                if flowDepth > nestingLimit { return line }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): flowDepth = max(0, flowDepth - 1)
            default: break
            }
        }
        return nil
    }

    /// The prefix of the keys that stand for repeated `<<` keys (see ``composeAllowingRepeatedMergeKeys(_:)``).
    static let repeatedMergeKeyPrefix = "<<\u{2060}cibox-merge-"

    /// Composes `text`; when Yams rejects a mapping only because it repeats `<<` (which real configs do and
    /// CircleCI accepts), renames the `<<` keys that start a line to distinct keys and composes again.
    ///
    /// Yams checks for duplicate keys while composing and has no option to turn that off (Yams 6.2.2,
    /// `Parser.checkDuplicates`); remove this when it gets one.
    static func composeAllowingRepeatedMergeKeys(_ text: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            guard case .duplicatedKeysInMapping(let duplicates, _) = error, duplicates == ["<<"] else { throw error }
            var counter = 0
            var lines: [Substring] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let body = line.drop { $0 == " " || $0 == "-" }
                guard body.hasPrefix("<<"), body.dropFirst(2).drop(while: { $0 == " " }).hasPrefix(":") else {
                    lines.append(line)
                    continue
                }
                counter += 1
                let indent = line.prefix(line.count - body.count)
                lines.append(indent + "\(repeatedMergeKeyPrefix)\(counter)" + body.dropFirst(2))
            }
            guard counter > 0 else { throw error }
            return try Yams.compose(yaml: lines.joined(separator: "\n"))
        }
    }

    /// The diagnostic for an error thrown by Yams, at the place libyaml points to.
    static func diagnostic(for error: any Error, file: String) -> Diagnostic {
        let hint = "check the indentation, quoting and ':' near this place; a YAML linter shows more"
        guard let yamlError = error as? YamlError else {
            return Diagnostic(.error, at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
        let (problem, mark, context): (String, Mark?, YamlError.Context?) =
            switch yamlError {
            case .scanner(let context, let problem, let mark, _),
                .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                (problem, mark, context)
            case .reader(let problem, _, _, _):
                (problem, nil, nil)
            case .duplicatedKeysInMapping(let duplicates, let context):
                (
                    "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping", context.mark,
                    nil
                )
            default:
                ("\(yamlError)", nil, nil)
            }
        // Yams turns libyaml's 0-based marks into 1-based ones (YamlError.init(from:with:)).
        let location = SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        var message = "invalid YAML: \(problem)"
        if let context {
            message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        return Diagnostic(.error, at: location, message, hint: hint)
    }
}

/// Turns Yams nodes into ``ConfigNode``s, applying merge keys and counting nodes against the budget.
private struct NodeConverter {
    let file: String
    var diagnostics: [Diagnostic] = []
    var nodeCount = 0
    var isOverBudget = false

    init(file: String) {
        self.file = file
    }

    func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func convert(_ node: Node) -> ConfigNode {
        nodeCount += 1
        if nodeCount > YAMLReader.nodeBudget {
            if !isOverBudget {
                isOverBudget = true
                diagnostics.append(
                    Diagnostic(
                        .error, at: location(of: node.mark),
                        "the config expands to more than \(YAMLReader.nodeBudget) YAML nodes through aliases",
                        hint: "check for aliases that nest other aliases many levels deep"))
            }
            return ConfigNode(.scalar(ConfigScalar("")), at: location(of: node.mark))
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(.scalar(Self.configScalar(scalar)), at: location(of: scalar.mark))
        case .sequence(let sequence):
            return ConfigNode(.sequence(sequence.map { convert($0) }), at: location(of: sequence.mark))
        case .mapping(let mapping):
            return ConfigNode(.mapping(convertMapping(mapping)), at: location(of: mapping.mark))
        case .alias(let alias):
            // compose() resolves aliases itself; an unresolved one would be a Yams change.
            diagnostics.append(
                Diagnostic(.error, at: location(of: alias.mark), "unresolved YAML alias '*\(alias.anchor.rawValue)'"))
            return ConfigNode(.scalar(ConfigScalar("")), at: location(of: alias.mark))
        }
    }

    static func configScalar(_ scalar: Node.Scalar) -> ConfigScalar {
        let isQuoted = scalar.style != .plain || scalar.tag.rawValue == Tag.Name.str.rawValue
        return ConfigScalar(scalar.string, isQuoted: isQuoted)
    }

    static func isMergeKey(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain
            && (scalar.string == "<<" || scalar.string.hasPrefix(YAMLReader.repeatedMergeKeyPrefix))
    }

    /// The entries of a mapping with its `<<` keys replaced by the merged entries that no local key overrides.
    mutating func convertMapping(_ mapping: Node.Mapping) -> [ConfigMappingEntry] {
        let localKeys = Set(mapping.compactMap { Self.isMergeKey($0.key) ? nil : $0.key.scalar?.string })
        var result: [ConfigMappingEntry] = []
        var seen = localKeys
        for (key, value) in mapping {
            if Self.isMergeKey(key) {
                for entry in mergedEntries(value, keyMark: key.mark) where !seen.contains(entry.key) {
                    seen.insert(entry.key)
                    result.append(entry)
                }
                continue
            }
            guard case .scalar(let keyScalar) = key else {
                diagnostics.append(
                    Diagnostic(
                        .error, at: location(of: key.mark), "a mapping key must be a plain value, not a list or mapping"
                    ))
                continue
            }
            result.append(
                ConfigMappingEntry(
                    key: keyScalar.string, keyLocation: location(of: keyScalar.mark), value: convert(value)))
        }
        return result
    }

    /// The entries that `<<: value` brings in: one mapping, or a list of mappings where earlier ones win.
    mutating func mergedEntries(_ value: Node, keyMark: Mark?) -> [ConfigMappingEntry] {
        let sources: [Node]
        switch value {
        case .mapping: sources = [value]
        case .sequence(let sequence): sources = Array(sequence)
        default: sources = []
        }
        var result: OrderedDictionary<String, ConfigMappingEntry> = [:]
        for source in sources {
            guard case .mapping(let mapping) = source else {
                diagnostics.append(
                    Diagnostic(
                        .error, at: location(of: source.mark),
                        "the merge key '<<' needs a mapping or a list of mappings",
                        hint: "write '<<: *anchor' where '&anchor' names a mapping"))
                continue
            }
            for entry in convertMapping(mapping) where result[entry.key] == nil {
                result[entry.key] = entry
            }
        }
        if sources.isEmpty {
            diagnostics.append(
                Diagnostic(
                    .error, at: location(of: value.mark ?? keyMark),
                    "the merge key '<<' needs a mapping or a list of mappings",
                    hint: "write '<<: *anchor' where '&anchor' names a mapping"))
        }
        return Array(result.values)
    }
}

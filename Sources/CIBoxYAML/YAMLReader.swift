// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
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
    /// Each aliased value is read once: its aliases share the node (and what is known about its scalars), so reading
    /// costs what the text costs, however often it is aliased. What the aliases add is counted: past ``nodeBudget``
    /// nodes or `maxExpandedBytes` bytes of keys and scalars, the file is refused with one error at the alias that
    /// passes the limit, and no root.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The file name shown in diagnostics.
    ///   - maxExpandedBytes: The most bytes of keys and scalars the document may have once its aliases are
    ///     expanded.
    /// - Returns: The root node (`nil` for invalid YAML or an empty document) and the problems found.
    package static func parse(
        _ text: String, file: String, maxExpandedBytes: Int = ConfigSettings.defaultMaxExpandedBytes
    ) -> (root: ConfigNode?, diagnostics: [Diagnostic]) {
        let result = parseReportingResolution(text, file: file, maxExpandedBytes: maxExpandedBytes)
        return (result.root, result.diagnostics)
    }

    /// ``parse(_:file:maxExpandedBytes:)``, also saying which of Yams' resolvers composed the text (`nil` when the
    /// text was refused before composing); with `forceDefaultResolver`, Yams' default one whatever the text, as
    /// cibox read every file before it classified plain scalars itself (see ``compose(_:forceDefault:)``).
    package static func parseReportingResolution(
        _ text: String, file: String, maxExpandedBytes: Int = ConfigSettings.defaultMaxExpandedBytes,
        forceDefaultResolver: Bool = false
    ) -> (root: ConfigNode?, diagnostics: [Diagnostic], resolution: YAMLResolution?) {
        if let line = lineNestingTooDeep(text) {
            let message = "the YAML nests more than \(nestingLimit) levels deep"
            return (nil, [Diagnostic(.error, at: SourceLocation(file: file, line: line, column: 1), message)], nil)
        }
        let composed: (parser: Parser, root: Node?, resolution: YAMLResolution)
        do {
            composed = try compose(text, forceDefault: forceDefaultResolver)
        } catch {
            return (nil, [diagnostic(for: error, file: file)], .yamsDefault)
        }
        guard let root = composed.root else { return (nil, [], composed.resolution) }
        // The parser holds the anchors, which nodes refer to weakly: it stays alive while the nodes are converted.
        return withExtendedLifetime(composed.parser) {
            var converter = NodeConverter(file: file, maxExpandedBytes: maxExpandedBytes)
            let node = converter.convert(root, usedAt: nil)
            // Past a budget the tree is cut short: only the error is worth reporting.
            return (converter.isOverBudget ? nil : node, converter.diagnostics, composed.resolution)
        }
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

/// Turns Yams nodes into ``ConfigNode``s, applying merge keys and counting nodes and bytes against the budgets.
///
/// An anchored node is converted once, at its first use; its aliases reuse that node and add what it counted.
private struct NodeConverter {
    /// What converting one anchored node added to the counts, and the node it gave.
    struct Converted {
        var node: ConfigNode
        var nodes: Int
        var bytes: Int
    }

    let file: String
    let maxExpandedBytes: Int
    var diagnostics: [Diagnostic] = []
    var nodeCount = 0
    var expandedBytes = 0
    var isOverBudget = false
    /// Anchored nodes converted so far, by their anchor's identity (an anchor redefined later is a new one).
    var converted: [ObjectIdentifier: Converted] = [:]

    init(file: String, maxExpandedBytes: Int) {
        self.file = file
        self.maxExpandedBytes = maxExpandedBytes
    }

    func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// `node` as a ``ConfigNode``; `use` is where it is written when it is an alias (its mark is its anchor's).
    mutating func convert(_ node: Node, usedAt use: SourceLocation?) -> ConfigNode {
        guard let anchor = node.anchor else { return convertValue(node) }
        if let known = converted[ObjectIdentifier(anchor)] {
            let alias = (name: anchor.rawValue, line: known.node.location.line)
            guard count(nodes: known.nodes, bytes: known.bytes, at: use ?? known.node.location, alias: alias) else {
                return stub(at: known.node.location)
            }
            return known.node
        }
        let (nodesBefore, bytesBefore) = (nodeCount, expandedBytes)
        var result = convertValue(node)
        result.isAnchored = true
        converted[ObjectIdentifier(anchor)] = Converted(
            node: result, nodes: nodeCount - nodesBefore, bytes: expandedBytes - bytesBefore)
        return result
    }

    /// `node` converted from its contents.
    mutating func convertValue(_ node: Node) -> ConfigNode {
        let bytes = node.scalar?.string.utf8.count ?? 0
        guard count(nodes: 1, bytes: bytes, at: location(of: node.mark), alias: nil) else {
            return stub(at: location(of: node.mark))
        }
        switch node {
        case .scalar(let scalar):
            return ConfigNode(.scalar(Self.configScalar(scalar)), at: location(of: scalar.mark))
        case .sequence(let sequence):
            let place = location(of: sequence.mark)
            return ConfigNode(.sequence(sequence.map { convert($0, usedAt: place) }), at: place)
        case .mapping(let mapping):
            return ConfigNode(.mapping(convertMapping(mapping)), at: location(of: mapping.mark))
        case .alias(let alias):
            // compose() resolves aliases itself; an unresolved one would be a Yams change.
            diagnostics.append(
                Diagnostic(.error, at: location(of: alias.mark), "unresolved YAML alias '*\(alias.anchor.rawValue)'"))
            return stub(at: location(of: alias.mark))
        }
    }

    /// What a node left out after the budget is spent stands for.
    func stub(at location: SourceLocation) -> ConfigNode {
        ConfigNode(.scalar(ConfigScalar("")), at: location)
    }

    /// Counts `nodes` and `bytes` more (an alias's whole value, or one node); whether they are within the budgets.
    /// The first count past a budget is reported, at `location`, naming the alias that passed it.
    mutating func count(nodes: Int, bytes: Int, at location: SourceLocation, alias: (name: String, line: Int)?)
        -> Bool
    {
        guard !isOverBudget else { return false }
        nodeCount += nodes
        expandedBytes += bytes
        if nodeCount > YAMLReader.nodeBudget {
            isOverBudget = true
            diagnostics.append(
                Diagnostic(
                    .error, at: location,
                    "the config expands to more than \(YAMLReader.nodeBudget) YAML nodes through aliases",
                    hint: "check for aliases that nest other aliases many levels deep"))
        } else if expandedBytes > maxExpandedBytes {
            isOverBudget = true
            diagnostics.append(Self.tooLarge(limit: maxExpandedBytes, at: location, alias: alias))
        }
        return !isOverBudget
    }

    /// The error for a document past `limit` bytes: at an alias, naming it and its anchor's line.
    static func tooLarge(limit: Int, at location: SourceLocation, alias: (name: String, line: Int)?) -> Diagnostic {
        let size = ByteCount.format(Int64(limit))
        let hint =
            "each alias repeats its anchor's whole value, so aliases of values that hold aliases multiply; "
            + "the limit is `config: { max_expanded_bytes }` in cibox's settings.yml"
        guard let alias else {
            return Diagnostic(
                .error, at: location, "the config is larger than \(size), the most cibox reads", hint: hint)
        }
        return Diagnostic(
            .error, at: location,
            "the alias '*\(alias.name)' (anchor '&\(alias.name)' on line \(alias.line)) takes the config past \(size) "
                + "once its aliases are expanded, the most cibox reads",
            hint: hint)
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
            let keyLocation = location(of: keyScalar.mark)
            guard count(nodes: 0, bytes: keyScalar.string.utf8.count, at: keyLocation, alias: nil) else { break }
            result.append(
                ConfigMappingEntry(
                    key: keyScalar.string, keyLocation: keyLocation, value: convert(value, usedAt: keyLocation)))
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
        let place = location(of: keyMark)
        for source in sources {
            guard case .mapping = source else {
                diagnostics.append(
                    Diagnostic(
                        .error, at: location(of: source.mark),
                        "the merge key '<<' needs a mapping or a list of mappings",
                        hint: "write '<<: *anchor' where '&anchor' names a mapping"))
                continue
            }
            for entry in convert(source, usedAt: place).entries ?? [] where result[entry.key] == nil {
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

// cibox — CI in a box. MIT licence, see LICENSE.

internal import Yams

/// Which resolver composed a document: Yams' rule-less one, or its default one (regular expressions, ICU).
package enum YAMLResolution: Sendable, Equatable {
    /// `Resolver.basic`, with the nodes shown to be what the default resolver gives.
    case ruleLess
    /// `Resolver.default`, as Yams composes by default.
    case yamsDefault
}

extension YAMLReader {
    /// Composes `text` with Yams' rule-less resolver when that gives the same nodes as its default one, else with
    /// the default one; returns the parser (which owns the document's anchors), the document and which it used.
    ///
    /// Yams resolves a plain scalar's tag only where it hashes the scalar: every mapping key, when it checks for
    /// duplicate keys. The resolver thus decides which keys count as the same (plain `1` and `"1"` differ under the
    /// default one, not under the rule-less one) and what tag a key that is also an aliased value ends with. The
    /// rule-less result is kept when neither can differ: it composed without an error, every key is a scalar whose
    /// tag ends as `!!str` (so no key has a tag the default resolver could also give a plain key of the same text),
    /// and every anchored plain `!!str` scalar reads as a string by ``PlainScalarKind``. Otherwise (errors, explicit
    /// tags on keys, non-scalar keys) the text is composed again with the default resolver, so that results and error
    /// messages stay exactly what they were.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - forceDefault: Whether to compose with the default resolver whatever the text (for tests that compare).
    static func compose(_ text: String, forceDefault: Bool = false) throws -> (
        parser: Parser, root: Node?, resolution: YAMLResolution
    ) {
        if !forceDefault, let (parser, root) = composeRuleLess(text) {
            return (parser, root, .ruleLess)
        }
        let (parser, root) = try composeAllowingRepeatedMergeKeys(text, resolver: .default)
        return (parser, root, .yamsDefault)
    }

    /// `text` composed with `Resolver.basic`, or `nil` when the default resolver might give other nodes or errors.
    static func composeRuleLess(_ text: String) -> (Parser, Node?)? {
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            let root = try parser.singleRoot()
            return RuleLessCheck.accepts(root, mergeKeysRenamed: false) ? (parser, root) : nil
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) where duplicates == ["<<"] {
            // The default resolver refuses the same mapping for the same key when no key has an explicit tag and
            // every `<<` key is plain (checked on the renamed document): it renames the same lines.
            guard let renamed = renamingLineStartMergeKeys(text),
                let parser = try? Parser(yaml: renamed, resolver: .basic), let root = try? parser.singleRoot(),
                RuleLessCheck.accepts(root, mergeKeysRenamed: true)
            else { return nil }
            return (parser, root)
        } catch {
            return nil
        }
    }

    /// The prefix of the keys that stand for repeated `<<` keys (see ``composeAllowingRepeatedMergeKeys(_:resolver:)``).
    static let repeatedMergeKeyPrefix = "<<\u{2060}cibox-merge-"

    /// Composes `text` with `resolver`; when Yams rejects a mapping only because it repeats `<<` (which real configs
    /// do and CircleCI accepts), renames the `<<` keys that start a line to distinct keys and composes again.
    ///
    /// Yams checks for duplicate keys while composing and has no option to turn that off (Yams 6.2.2,
    /// `Parser.checkDuplicates`); remove this when it gets one.
    static func composeAllowingRepeatedMergeKeys(_ text: String, resolver: Resolver) throws -> (Parser, Node?) {
        do {
            let parser = try Parser(yaml: text, resolver: resolver)
            return (parser, try parser.singleRoot())
        } catch let error as YamlError {
            guard case .duplicatedKeysInMapping(let duplicates, _) = error, duplicates == ["<<"],
                let renamed = renamingLineStartMergeKeys(text)
            else { throw error }
            let parser = try Parser(yaml: renamed, resolver: resolver)
            return (parser, try parser.singleRoot())
        }
    }

    /// `text` with each `<<` key that starts a line (after indentation and `- `) renamed to a distinct key with
    /// ``repeatedMergeKeyPrefix``; `nil` when there is none.
    static func renamingLineStartMergeKeys(_ text: String) -> String? {
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
        return counter > 0 ? lines.joined(separator: "\n") : nil
    }
}

/// Whether a document composed with `Resolver.basic` is node for node what `Resolver.default` gives (see
/// ``YAMLReader/compose(_:forceDefault:)``).
private struct RuleLessCheck {
    /// The anchored nodes looked at, so that each is looked at once however often it is aliased.
    var seen: Set<ObjectIdentifier> = []
    let mergeKeysRenamed: Bool

    static func accepts(_ root: Node?, mergeKeysRenamed: Bool) -> Bool {
        guard let root else { return true }
        var check = RuleLessCheck(mergeKeysRenamed: mergeKeysRenamed)
        return check.accepts(root)
    }

    mutating func accepts(_ node: Node) -> Bool {
        if let anchor = node.anchor, !seen.insert(ObjectIdentifier(anchor)).inserted { return true }
        switch node {
        case .scalar(let scalar):
            // Only a key's tag gets resolved: a plain one that is also an aliased value is `!!str` here, and is so
            // under the default resolver only when its text reads as a string.
            guard scalar.style == .plain, node.anchor != nil, scalar.tag.rawValue == Tag.Name.str.rawValue else {
                return true
            }
            return PlainScalarKind(of: scalar.string) == .str
        case .sequence(let sequence):
            return sequence.allSatisfy { accepts($0) }
        case .mapping(let mapping):
            // A key's own quoting is not kept (the tree keeps its text); an anchored key used as a value is looked
            // at where it is used.
            return mapping.allSatisfy { key, value in
                guard case .scalar(let keyScalar) = key, keyScalar.tag.rawValue == Tag.Name.str.rawValue,
                    !(mergeKeysRenamed && keyScalar.string == "<<")
                else { return false }
                return accepts(value)
            }
        case .alias:
            return false
        }
    }
}

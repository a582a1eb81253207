// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import OrderedCollections
internal import Yams

/// A small YAML value for writing processed configs and packed orbs: strings, integers, booleans, lists and
/// ordered mappings.
package indirect enum YAMLValue: Hashable, Sendable {
    /// A string, quoted where YAML would read it as something else.
    case string(String)
    /// A plain scalar that YAML reads as something other than a string (`null`, `yes`, `1.5`), written as is.
    case plain(String)
    /// An integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)
    /// A list, in order.
    case list([YAMLValue])
    /// A mapping, in the order of its keys.
    case mapping(OrderedDictionary<String, YAMLValue>)
}

/// Writes ``YAMLValue``s with Yams' emitter (libyaml) in block style, two spaces per level, no line folding.
///
/// cibox chooses each string's style and libyaml writes it: plain where that reads back as the same string, a
/// literal block (`|`, `|-`, `|+`) for multi-line text, otherwise double-quoted. libyaml has the last word: it writes
/// a literal block double-quoted when the text holds characters a block cannot (tabs, control characters), and a
/// plain scalar it cannot read back as plain (such as `...`) single-quoted. Lists under a mapping key are not indented
/// (`key:` then `- item` at the key's column), as libyaml writes them.
package enum YAMLWriter {
    /// The YAML text of a top-level mapping or any value, ending with a line break.
    ///
    /// - Parameter value: The value to write.
    /// - Returns: The YAML text.
    /// - Throws: ``InternalError`` if libyaml refuses the events (it cannot for the nodes this type makes).
    package static func write(_ value: YAMLValue) throws(InternalError) -> String {
        do {
            return try Yams.serialize(node: node(value), width: -1, allowUnicode: true)
        } catch {
            throw InternalError("the YAML emitter failed: \(error)")
        }
    }

    /// The Yams node of `value`, with the style of every scalar chosen.
    private static func node(_ value: YAMLValue) -> Node {
        switch value {
        case .string(let text): .scalar(Node.Scalar(text, .implicit, style(of: text)))
        case .plain(let text): .scalar(Node.Scalar(text, .implicit, .plain))
        case .integer(let number): .scalar(Node.Scalar(String(number), .implicit, .plain))
        case .boolean(let bool): .scalar(Node.Scalar(bool ? "true" : "false", .implicit, .plain))
        case .list(let items): .sequence(Node.Sequence(items.map(node), Tag(.seq), .block))
        case .mapping(let entries):
            .mapping(Node.Mapping(entries.map { (node(.string($0.key)), node($0.value)) }, Tag(.map), .block))
        }
    }

    /// A literal block for multi-line text without leading blanks, carriage returns or trailing spaces; plain where
    /// that reads back the same; otherwise double-quoted.
    static func style(of text: String) -> Node.Scalar.Style {
        if text.contains("\n"), !text.hasPrefix(" "), !text.hasPrefix("\t"), !text.contains("\r"),
            text.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy({ !$0.hasSuffix(" ") })
        {
            return .literal
        }
        return isPlainSafe(text) ? .plain : .doubleQuoted
    }

    /// Whether `text` reads back as the same string when written plain (unquoted) in block context.
    package static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, last != " ", first != " " else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) || text == "~" { return false }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return false }
        if ["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(text.lowercased()) { return false }
        if Double(text) != nil || text.hasPrefix("0") && text.count > 1 && Int(text.dropFirst()) != nil { return false }
        return text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }
}

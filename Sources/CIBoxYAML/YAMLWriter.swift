// cibox — CI in a box. MIT licence, see LICENSE.

package import OrderedCollections

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

/// Writes ``YAMLValue``s in block style, two spaces per level, quoting strings only where YAML needs it.
package enum YAMLWriter {
    /// The YAML text of a top-level mapping or any value.
    package static func write(_ value: YAMLValue) -> String {
        var lines: [String] = []
        block(value, indent: 0, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ value: YAMLValue, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .mapping(let entries):
            for (key, item) in entries {
                entry(pad + scalar(key, indent: indent) + ":", item, indent: indent, into: &lines)
            }
        case .list(let items):
            for item in items {
                guard case .mapping(let entries) = item, !entries.isEmpty else {
                    entry(pad + "-", item, indent: indent, into: &lines)
                    continue
                }
                // `- key: value` with the mapping's other keys under the first one.
                var itemLines: [String] = []
                block(item, indent: indent + 2, into: &itemLines)
                if let first = itemLines.first {
                    itemLines[0] = pad + "- " + first.dropFirst(indent + 2)
                }
                lines += itemLines
            }
        default:
            lines.append(pad + inline(value, indent: indent))
        }
    }

    private static func entry(_ prefix: String, _ item: YAMLValue, indent: Int, into lines: inout [String]) {
        switch item {
        case .mapping(let entries) where !entries.isEmpty:
            lines.append(prefix)
            block(item, indent: indent + 2, into: &lines)
        case .list(let items) where !items.isEmpty:
            lines.append(prefix)
            block(item, indent: indent + 2, into: &lines)
        default:
            lines.append(prefix + " " + inline(item, indent: indent + 2))
        }
    }

    private static func inline(_ value: YAMLValue, indent: Int) -> String {
        switch value {
        case .string(let text): scalar(text, indent: indent)
        case .plain(let text): text
        case .integer(let number): String(number)
        case .boolean(let bool): bool ? "true" : "false"
        case .list: "[]"
        case .mapping: "{}"
        }
    }

    /// A string as a plain scalar when that reads back the same, a literal block for multi-line text (tabs
    /// included, as in shell scripts), otherwise double-quoted.
    static func scalar(_ text: String, indent: Int) -> String {
        if text.contains("\n"), !text.hasPrefix(" "), !text.hasPrefix("\t"), !text.contains("\r"),
            text.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy({ !$0.hasSuffix(" ") })
        {
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            let pad = String(repeating: " ", count: indent)
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            // `|` keeps one final line break, `|+` all of them, `|-` none.
            let indicator = text.hasSuffix("\n\n") ? "|+" : text.hasSuffix("\n") ? "|" : "|-"
            return indicator + "\n" + lines.joined(separator: "\n")
        }
        return isPlainSafe(text) ? text : quoted(text)
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

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

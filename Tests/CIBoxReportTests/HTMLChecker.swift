// cibox — CI in a box. MIT licence, see LICENSE.

/// A strict structural check of the HTML cibox writes: the doctype first, every tag closed in order (void
/// elements and SVG's `/>` aside), attributes quoted, no raw `<` or stray `&` in text, no control characters,
/// and no `<script>` other than the report's own refresh script. Returns the problems found.
enum HTMLChecker {
    static let voidElements: Set<String> = ["meta", "link", "br", "img", "hr", "input", "col", "wbr", "source"]

    static func problems(in html: String) -> [String] {
        var problems: [String] = []
        let scalars = Array(html.unicodeScalars)
        if !html.hasPrefix("<!DOCTYPE html>\n") { problems.append("no doctype first") }
        for scalar in scalars {
            let value = scalar.value
            if (value < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D].contains(value)) || (0x7F...0x9F).contains(value)
                || value & 0xFFFE == 0xFFFE || (0xFDD0...0xFDEF).contains(value)
            {
                problems.append("forbidden character U+\(String(value, radix: 16))")
            }
        }
        var stack: [String] = []
        var index = "<!DOCTYPE html>".unicodeScalars.count
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "&" {
                var end = index + 1
                while end < scalars.count, end - index < 12, scalars[end] != ";", scalars[end] != " ",
                    scalars[end] != "<", scalars[end] != "&"
                { end += 1 }
                let entity = String(String.UnicodeScalarView(scalars[(index + 1)..<min(end, scalars.count)]))
                let known = ["amp", "lt", "gt", "quot", "#39"]
                if end >= scalars.count || scalars[end] != ";" || !known.contains(entity) {
                    problems.append("stray & near \(context(scalars, index))")
                }
                index = end
                continue
            }
            guard scalar == "<" else {
                if scalar == ">" { problems.append("raw > near \(context(scalars, index))") }
                index += 1
                continue
            }
            var end = index + 1
            var quote: Unicode.Scalar?
            while end < scalars.count {
                let character = scalars[end]
                if let open = quote {
                    if character == "<" { problems.append("< inside an attribute near \(context(scalars, end))") }
                    if character == open { quote = nil }
                } else if character == "\"" {
                    quote = "\""
                } else if character == "'" {
                    problems.append("single-quoted attribute near \(context(scalars, end))")
                } else if character == ">" {
                    break
                } else if character == "<" {
                    problems.append("raw < near \(context(scalars, index))")
                    break
                }
                end += 1
            }
            guard end < scalars.count, scalars[end] == ">" else {
                index = end
                continue
            }
            let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            problems += check(tag: tag, stack: &stack)
            index = end + 1
            if tag.hasPrefix("script") {
                guard html.unicodeScalars.count > index,
                    String(String.UnicodeScalarView(scalars[index..<min(index + 9, scalars.count)])) == "</script>"
                else {
                    problems.append("a script with content")
                    continue
                }
                if !tag.contains("refresh.js") { problems.append("a script that is not the refresh script: \(tag)") }
            }
        }
        if !stack.isEmpty { problems.append("unclosed elements: \(stack)") }
        return problems
    }

    private static func check(tag: String, stack: inout [String]) -> [String] {
        if tag.hasPrefix("/") {
            let name = String(tag.dropFirst())
            guard stack.last == name else { return ["</\(name)> closes <\(stack.last ?? "nothing")>"] }
            stack.removeLast()
            return []
        }
        let name = String(tag.prefix { $0 != " " && $0 != "/" })
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }) else { return ["bad tag <\(tag)>"] }
        if voidElements.contains(name) || tag.hasSuffix("/") { return [] }
        stack.append(name)
        return []
    }

    private static func context(_ scalars: [Unicode.Scalar], _ index: Int) -> String {
        let start = max(0, index - 30)
        let end = min(scalars.count, index + 30)
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

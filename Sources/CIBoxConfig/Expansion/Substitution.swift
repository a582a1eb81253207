// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `<< name >>` substitution: each name the scope knows replaced by its value, mustache sections applied, and `\<<`
/// kept until ``unescape(_:)``. Unknown names are reported; every node produced is spent from the budget.
struct Substitution {
    /// Where problems go.
    let decoder: NodeDecoder
    /// The compilation's expansion budget.
    let budget: ExpansionBudget
    /// The file name for locations of values that have none.
    let file: String

    /// `node` with every `<< name >>` that `scope` knows replaced, mustache sections applied, and `\<<` kept for
    /// ``unescape(_:)``. A scalar that is exactly one `<< name >>` becomes the value itself, keeping its type.
    func substitute(_ node: ConfigNode, _ scope: TemplateScope) -> ConfigNode {
        if budget.spend(1, at: node.location) { return node }
        switch node.value {
        case .scalar(let scalar):
            guard scalar.text.contains("<<") else { return node }
            if let whole = wholeValue(scalar.text, scope, at: node.location) {
                if whole.scalar != nil { return ConfigNode(whole.value, at: node.location) }
                return whole
            }
            let text = render(scalar.text[...], scope, at: node.location)
            return ConfigNode(.scalar(ConfigScalar(text, isQuoted: scalar.isQuoted)), at: node.location)
        case .sequence(let elements):
            return ConfigNode(.sequence(elements.map { substitute($0, scope) }), at: node.location)
        case .mapping(let entries):
            let mapped = entries.map { entry in
                var entry = entry
                if entry.key.contains("<<") { entry.key = render(entry.key[...], scope, at: entry.keyLocation) }
                entry.value = substitute(entry.value, scope)
                return entry
            }
            return ConfigNode(.mapping(mapped), at: node.location)
        }
    }

    /// The value of a text that is exactly `<< name >>` (spaces around allowed), if the scope defines the name.
    func wholeValue(_ text: String, _ scope: TemplateScope, at location: SourceLocation) -> ConfigNode? {
        let trimmed = text.trimmingSpaces()
        guard trimmed.hasPrefix("<<"), trimmed.hasSuffix(">>"), trimmed.count >= 4 else { return nil }
        let inner = trimmed.dropFirst(2).dropLast(2)
        guard !inner.contains("<<"), !inner.contains(">>") else { return nil }
        let name = inner.trimmingSpaces()
        guard TemplateScope.isValidName(name), case .value(let value) = scope.resolve(String(name)) else {
            return nil
        }
        return value
    }

    /// `text` with names replaced by their text and mustache sections applied.
    func render(_ text: Substring, _ scope: TemplateScope, at location: SourceLocation) -> String {
        var output = ""
        var rest = text
        while let open = rest.firstRange(of: "<<") {
            if open.lowerBound > rest.startIndex, rest[rest.index(before: open.lowerBound)] == "\\" {
                output += rest[..<open.upperBound]
                rest = rest[open.upperBound...]
                continue
            }
            output += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: ">>") else {
                output += "<<"
                rest = after
                continue
            }
            let inner = after[..<close.lowerBound].trimmingSpaces()
            if let marker = inner.first, marker == "#" || marker == "^",
                let end = section(
                    marker: marker, name: inner.dropFirst().trimmingSpaces(), in: after, close, scope, at: location)
            {
                if end.isShown {
                    output += render(end.body, scope, at: location)
                }
                rest = after[end.resume...]
                continue
            }
            guard TemplateScope.isValidName(inner) else {
                output += "<<"
                rest = after
                continue
            }
            output += replacement(
                for: String(inner), original: rest[open.lowerBound..<close.upperBound], scope, location)
            rest = after[close.upperBound...]
        }
        output += rest
        return output
    }

    /// A mustache section that starts at `close` (the end of `<<# name`): its body, whether it is shown, and
    /// where the text goes on after `<</ name >>`; `nil` when the name is not one the scope handles.
    func section(
        marker: Character, name: Substring, in text: Substring, _ close: Range<Substring.Index>,
        _ scope: TemplateScope, at location: SourceLocation
    ) -> (body: Substring, isShown: Bool, resume: Substring.Index)? {
        guard TemplateScope.isValidName(name) else { return nil }
        let value: ConfigNode
        switch scope.resolve(String(name)) {
        case .literal: return nil
        case .value(let resolved): value = resolved
        case .unknown, .unknownPipelineValue: value = ConfigNode(.scalar(ConfigScalar("")), at: nullLocation)
        }
        var search = text[close.upperBound...]
        while let open = search.firstRange(of: "<</") {
            let after = search[open.upperBound...]
            guard let end = after.firstRange(of: ">>") else { break }
            if after[..<end.lowerBound].trimmingSpaces() == name {
                let body = text[close.upperBound..<open.lowerBound]
                return (body, value.isTruthy == (marker == "#"), end.upperBound)
            }
            search = after
        }
        decoder.error(
            location, "the section '<<\(marker)\(name)>>' is not closed",
            hint: "end it with '<</\(name)>>'")
        return nil
    }

    /// The text that replaces one `<< name >>` inside a longer string.
    func replacement(
        for name: String, original: Substring, _ scope: TemplateScope, _ location: SourceLocation
    ) -> String {
        switch scope.resolve(name) {
        case .literal:
            return String(original)
        case .unknown(let message, let hint):
            decoder.error(location, message, hint: hint)
            return String(original)
        case .unknownPipelineValue(let name):
            decoder.warning(
                location, "cibox does not know the pipeline value '\(name)'; it is replaced by an empty string",
                hint: "cibox knows pipeline.id, number, git.branch, git.tag, git.revision, git.base_revision, "
                    + "project.git_url, project.type, project.slug, trigger_source, trigger.type, schedule.name")
            return ""
        case .value(let value):
            if let scalar = value.scalar { return scalar.isNull ? "" : scalar.text }
            decoder.error(
                location, "'<< \(name) >>' is \(value.kindDescription) and cannot be used inside a longer string",
                hint: "use it as the whole value, such as 'steps: << \(name) >>'")
            return ""
        }
    }

    /// A location for values that have none (filled in by the caller's location when reported).
    var nullLocation: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    /// `node` with the escape `\<<` turned into `<<`, once all substitution is done.
    func unescape(_ node: ConfigNode) -> ConfigNode {
        node.mappingScalars { node, scalar in
            guard scalar.text.contains("\\<<") else { return node }
            let text = scalar.text.replacing("\\<<", with: "<<")
            return ConfigNode(.scalar(ConfigScalar(text, isQuoted: scalar.isQuoted)), at: node.location)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[start...end]
    }
}

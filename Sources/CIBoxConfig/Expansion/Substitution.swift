// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `<< name >>` substitution: each name the scope knows replaced by its value, mustache sections applied, and `\<<`
/// kept until ``unescape(_:)``. Unknown names are reported; every node and byte gone through is spent from the
/// budget.
///
/// Only scalars that may hold a template are looked at (``ConfigScalar/mayContainTemplate``), and what substitution
/// makes is marked the same way: text that came from values only is never looked at again.
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
        switch node.value {
        case .scalar(let scalar):
            if budget.spend(bytes: scalar.text.utf8.count, at: node.location) { return node }
            guard scalar.mayContainTemplate else { return node }
            let bytes = Array(scalar.text.utf8)
            if let whole = wholeValue(bytes, scope) {
                if whole.scalar != nil { return ConfigNode(whole.value, at: node.location) }
                return whole
            }
            let rendered = render(bytes[...], scope, at: node.location)
            return ConfigNode(
                .scalar(
                    ConfigScalar(
                        rendered.text, isQuoted: scalar.isQuoted, mayContainTemplate: rendered.mayContainTemplate)),
                at: node.location)
        case .sequence(let elements):
            if budget.spend(at: node.location) { return node }
            return ConfigNode(.sequence(elements.map { substitute($0, scope) }), at: node.location)
        case .mapping(let entries):
            if budget.spend(at: node.location) { return node }
            let mapped = entries.map { entry in
                var entry = entry
                if !budget.spend(nodes: 0, bytes: entry.key.utf8.count, at: entry.keyLocation),
                    ConfigScalar.containsTemplateOpener(entry.key)
                {
                    entry.key = render(Array(entry.key.utf8)[...], scope, at: entry.keyLocation).text
                }
                entry.value = substitute(entry.value, scope)
                return entry
            }
            return ConfigNode(.mapping(mapped), at: node.location)
        }
    }

    /// The value of a text that is exactly `<< name >>` (spaces around allowed), if the scope defines the name.
    func wholeValue(_ bytes: [UInt8], _ scope: TemplateScope) -> ConfigNode? {
        let trimmed = TemplateText.trimmingSpaces(bytes[...])
        guard trimmed.count >= 4, TemplateText.starts(trimmed, with: TemplateText.open),
            TemplateText.starts(trimmed.suffix(2), with: TemplateText.close)
        else { return nil }
        let inner = trimmed.dropFirst(2).dropLast(2)
        guard TemplateText.find(TemplateText.open, in: inner, from: inner.startIndex) == nil,
            TemplateText.find(TemplateText.close, in: inner, from: inner.startIndex) == nil
        else { return nil }
        let name = TemplateText.trimmingSpaces(inner)
        guard TemplateText.isValidName(name), case .value(let value) = scope.resolve(TemplateText.string(name)) else {
            return nil
        }
        return value
    }

    /// Rendered text, and whether it still holds a `<<` to process (kept as written, or from a value that holds
    /// one).
    struct Rendered {
        /// The text.
        var text: String
        /// Whether it still holds a `<<` to process.
        var mayContainTemplate: Bool
    }

    /// `text` with names replaced by their text and mustache sections applied; one pass over the text.
    ///
    /// - Parameters:
    ///   - text: The text's UTF-8 bytes.
    ///   - scope: What names stand for.
    ///   - location: Where the text is, for problems.
    ///   - depth: How many shown sections this text is inside.
    func render(_ text: ArraySlice<UInt8>, _ scope: TemplateScope, at location: SourceLocation, depth: Int = 0)
        -> Rendered
    {
        var renderer = TemplateRenderer(text: text)
        while let open = renderer.nextOpener() {
            guard let close = renderer.close(after: open) else { break }
            let inner = TemplateText.trimmingSpaces(text[(open + 2)..<close])
            if let marker = inner.first, marker == UInt8(ascii: "#") || marker == UInt8(ascii: "^"),
                let end = section(
                    marker: marker, name: TemplateText.trimmingSpaces(inner.dropFirst()), after: close + 2,
                    &renderer, scope, at: location)
            {
                if end.isShown {
                    guard depth < Self.sectionDepthLimit else {
                        decoder.error(
                            location, "mustache sections nest more than \(Self.sectionDepthLimit) deep here",
                            hint: "a section's body is rendered again for each section around it")
                        renderer.skip(to: end.resume)
                        continue
                    }
                    renderer.append(render(end.body, scope, at: location, depth: depth + 1))
                }
                renderer.skip(to: end.resume)
                continue
            }
            guard TemplateText.isValidName(inner) else {
                renderer.keepOpener()
                continue
            }
            let (replacement, holdsTemplate) = self.replacement(
                for: TemplateText.string(inner), original: text[open..<(close + 2)], scope, location)
            renderer.replace(through: close + 2, with: replacement, holdsTemplate: holdsTemplate)
        }
        return renderer.finish()
    }

    /// How deep shown mustache sections may nest inside one another.
    static let sectionDepthLimit = 16

    /// A mustache section whose opener `<<# name >>` ends just before `start`: its body, whether it is shown, and
    /// where the text goes on after `<</ name >>`; `nil` when the name is not one the scope handles, or the
    /// section is not closed (reported once per name).
    func section(
        marker: UInt8, name: ArraySlice<UInt8>, after start: Int, _ renderer: inout TemplateRenderer,
        _ scope: TemplateScope, at location: SourceLocation
    ) -> (body: ArraySlice<UInt8>, isShown: Bool, resume: Int)? {
        guard TemplateText.isValidName(name) else { return nil }
        let nameText = TemplateText.string(name)
        let value: ConfigNode
        switch scope.resolve(nameText) {
        case .literal: return nil
        case .value(let resolved): value = resolved
        case .unknown, .unknownPipelineValue: value = ConfigNode(.scalar(ConfigScalar("")), at: nullLocation)
        }
        guard let (bodyEnd, resume) = renderer.sectionEnd(named: name, from: start) else {
            let markerText = marker == UInt8(ascii: "#") ? "#" : "^"
            decoder.error(
                location, "the section '<<\(markerText)\(nameText)>>' is not closed",
                hint: "end it with '<</\(nameText)>>'")
            return nil
        }
        return (renderer.text[start..<bodyEnd], value.isTruthy == (marker == UInt8(ascii: "#")), resume)
    }

    /// The text that replaces one `<< name >>` inside a longer string, and whether that text still holds a `<<` to
    /// process.
    func replacement(
        for name: String, original: ArraySlice<UInt8>, _ scope: TemplateScope, _ location: SourceLocation
    ) -> (String, Bool) {
        switch scope.resolve(name) {
        case .literal:
            return (TemplateText.string(original), true)
        case .unknown(let message, let hint):
            decoder.error(location, message, hint: hint)
            return (TemplateText.string(original), true)
        case .unknownPipelineValue(let name):
            decoder.warning(
                location, "cibox does not know the pipeline value '\(name)'; it is replaced by an empty string",
                hint: "cibox knows pipeline.id, number, git.branch, git.tag, git.revision, git.base_revision, "
                    + "project.git_url, project.type, project.slug, trigger_source, trigger.type, schedule.name")
            return ("", false)
        case .value(let value):
            if let scalar = value.scalar { return (scalar.isNull ? "" : scalar.text, scalar.mayContainTemplate) }
            decoder.error(
                location, "'<< \(name) >>' is \(value.kindDescription) and cannot be used inside a longer string",
                hint: "use it as the whole value, such as 'steps: << \(name) >>'")
            return ("", false)
        }
    }

    /// A location for values that have none (filled in by the caller's location when reported).
    var nullLocation: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    /// `node` with the escape `\<<` turned into `<<`, once all substitution is done; what it gives holds no more
    /// templates.
    func unescape(_ node: ConfigNode) -> ConfigNode {
        node.mappingScalars { node, scalar in
            guard scalar.mayContainTemplate else { return node }
            let text = TemplateText.unescaped(scalar.text)
            return ConfigNode(
                .scalar(ConfigScalar(text, isQuoted: scalar.isQuoted, mayContainTemplate: false)), at: node.location)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Typed access to ``ConfigNode``s that records a diagnostic for each value of the wrong shape.
///
/// Field paths in messages are dotted, as the user would find them in the file: `jobs.build.parallelism`.
/// Every accessor returns `nil` after recording an error, so callers can go on and report every problem.
package struct NodeDecoder {
    /// Where the diagnostics go; shared by every copy of this decoder.
    package let sink: DiagnosticSink

    /// Makes a decoder that reports to `sink` (a new one by default).
    package init(sink: DiagnosticSink = DiagnosticSink()) {
        self.sink = sink
    }

    /// The problems found so far, in the order found.
    package var diagnostics: [Diagnostic] { sink.diagnostics }

    /// Records an error.
    package func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        sink.error(location, message, hint: hint)
    }

    /// Records diagnostics found elsewhere (such as an orb file's YAML errors).
    package func append(_ more: [Diagnostic]) {
        sink.append(more)
    }

    /// Records a warning.
    package func warning(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        sink.warning(location, message, hint: hint)
    }

    /// The entries of a mapping node, or an error naming `path`.
    package func mapping(_ node: ConfigNode, _ path: String) -> [ConfigMappingEntry]? {
        if let entries = node.entries { return entries }
        error(node.location, "'\(path)' must be a mapping, got \(node.kindDescription)")
        return nil
    }

    /// The elements of a sequence node, or an error naming `path`.
    package func sequence(_ node: ConfigNode, _ path: String) -> [ConfigNode]? {
        if let elements = node.elements { return elements }
        error(node.location, "'\(path)' must be a list, got \(node.kindDescription)")
        return nil
    }

    /// The text of a non-null scalar (numbers and booleans as written), or an error naming `path`.
    package func string(_ node: ConfigNode, _ path: String) -> String? {
        if let scalar = node.scalar, !scalar.isNull { return scalar.text }
        error(node.location, "'\(path)' must be a string, got \(node.kindDescription)")
        return nil
    }

    /// A plain YAML boolean, or an error naming `path`.
    package func bool(_ node: ConfigNode, _ path: String) -> Bool? {
        if let value = node.scalar?.bool { return value }
        error(node.location, "'\(path)' must be true or false, got \(node.kindDescription)")
        return nil
    }

    /// A positive integer, or an error naming `path`.
    package func positiveInt(_ node: ConfigNode, _ path: String) -> Int? {
        if let value = node.scalar?.int, value > 0 { return value }
        error(node.location, "'\(path)' must be a positive integer, got \(node.kindDescription)")
        return nil
    }

    /// A string or a list of strings (as `context` and filter patterns are written), or an error naming `path`.
    package func stringList(_ node: ConfigNode, _ path: String) -> [String]? {
        if let scalar = node.scalar, !scalar.isNull { return [scalar.text] }
        guard let elements = node.elements else {
            error(node.location, "'\(path)' must be a string or a list of strings, got \(node.kindDescription)")
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            if let value = string(element, "\(path)[\(index)]") { result.append(value) }
        }
        return result
    }

    /// Warns about the keys of `entries` that are not in `known`: `notYet` keys are known to CircleCI but not
    /// supported by cibox yet; any other key is unknown.
    package func checkKeys(
        _ entries: [ConfigMappingEntry], in path: String, known: Set<String>, notYet: Set<String> = []
    ) {
        for entry in entries where !known.contains(entry.key) {
            if notYet.contains(entry.key) {
                warning(
                    entry.keyLocation, "'\(path).\(entry.key)' is not supported by cibox yet and is ignored")
            } else {
                warning(
                    entry.keyLocation, "unknown key '\(entry.key)' in '\(path)' is ignored",
                    hint: "known keys: \(known.union(notYet).sorted().joined(separator: ", "))")
            }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `filters:` of workflow jobs and schedules: `branches` and `tags`, each with `only` and `ignore` patterns.
struct FilterCompiler {
    /// Where problems go.
    let decoder: NodeDecoder

    /// `filters:` of a workflow job: `branches` and `tags`, each with `only` and `ignore`.
    func compileFilters(_ node: ConfigNode, path: String) -> JobFilters {
        if let scalar = node.scalar, !scalar.isNull {
            decoder.warning(
                node.location,
                "expression filters ('\(path)' as a string) are not supported by cibox yet; "
                    + "the job runs as if it had no filters")
            return JobFilters()
        }
        guard let entries = decoder.mapping(node, path) else { return JobFilters() }
        decoder.checkKeys(entries, in: path, known: ["branches", "tags"])
        return JobFilters(
            branches: node["branches"].flatMap { compileRefFilter($0, path: "\(path).branches") },
            tags: node["tags"].flatMap { compileRefFilter($0, path: "\(path).tags") })
    }

    /// `branches:` or `tags:` with `only` and `ignore`.
    func compileRefFilter(_ node: ConfigNode, path: String) -> RefFilter? {
        guard let entries = decoder.mapping(node, path) else { return nil }
        decoder.checkKeys(entries, in: path, known: ["only", "ignore"])
        let only = node["only"].map { patterns($0, path: "\(path).only") }
        let ignore = node["ignore"].map { patterns($0, path: "\(path).ignore") } ?? []
        return RefFilter(only: only, ignore: ignore)
    }

    /// Patterns as written: `/regex/` (matched against the whole name) or an exact name.
    func patterns(_ node: ConfigNode, path: String) -> [RefPattern] {
        let texts = decoder.stringList(node, path) ?? []
        return texts.compactMap { text in
            guard text.count >= 2, text.hasPrefix("/"), text.hasSuffix("/") else { return .exact(text) }
            let body = String(text.dropFirst().dropLast())
            do {
                _ = try Regex(body)
            } catch {
                decoder.error(
                    node.location, "invalid regular expression '\(text)' in '\(path)': \(error)",
                    hint: "write a regular expression between slashes, such as /release-.*/")
                return nil
            }
            return .regex(body)
        }
    }
}

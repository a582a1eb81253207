// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Expands the `paths` of `persist_to_workspace` under its `root`, as CircleCI documents them: each is a Go
/// `filepath.Match` glob relative to the root (`*` and `?` match within one path component, dot files
/// included; `[…]` classes), `**` matches any number of folders, and a matched folder is taken with
/// everything in it. Symbolic links are matched as entries, never followed into.
package enum WorkspaceGlob {
    /// The paths under `root` that `pattern` matches, relative to `root`, sorted; a match inside another
    /// matched folder is left out (the folder brings it). `.` stands for the root itself.
    package static func matches(_ pattern: String, root: String) -> [String] {
        var pattern = pattern
        if pattern.hasPrefix("/") {
            let root = root.hasSuffix("/") ? root : root + "/"
            guard pattern.hasPrefix(root) else { return [] }
            pattern = String(pattern.dropFirst(root.count))
        }
        let components = pattern.split(separator: "/").filter { $0 != "." }
        if components.contains("..") { return [] }
        let found = Set(expand(components[...], relative: "", root: root))
        let sorted = found.map { $0.isEmpty ? "." : $0 }.sorted()
        if sorted.contains(".") { return ["."] }
        var kept: [String] = []
        for path in sorted where !kept.contains(where: { path.hasPrefix($0 + "/") }) { kept.append(path) }
        return kept
    }

    private static func expand(_ components: ArraySlice<Substring>, relative: String, root: String) -> [String] {
        guard let head = components.first else { return [relative] }
        let rest = components.dropFirst()
        if head == "**" {
            var results = expand(rest, relative: relative, root: root)
            for child in children(of: relative, root: root) where isFolder(join(relative, child), root: root) {
                results += expand(components, relative: join(relative, child), root: root)
            }
            return results
        }
        if !head.contains(where: { "*?[\\".contains($0) }) {
            let next = join(relative, String(head))
            return StoreFiles.status(root + "/" + next) == nil ? [] : expand(rest, relative: next, root: root)
        }
        var results: [String] = []
        for child in children(of: relative, root: root) where fnmatch(String(head), child, 0) == 0 {
            results += expand(rest, relative: join(relative, child), root: root)
        }
        return results
    }

    private static func children(of relative: String, root: String) -> [String] {
        let folder = relative.isEmpty ? root : root + "/" + relative
        guard let info = StoreFiles.status(folder), StoreFiles.isFolder(info) else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    private static func isFolder(_ relative: String, root: String) -> Bool {
        StoreFiles.status(root + "/" + relative).map(StoreFiles.isFolder) ?? false
    }

    private static func join(_ relative: String, _ child: String) -> String {
        relative.isEmpty ? child : relative + "/" + child
    }
}

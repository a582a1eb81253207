// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// `circleci tests glob PATTERN…`: the files under a folder that match any of the patterns.
package enum TestGlob {
    /// The files matching any of `patterns`, sorted and without duplicates.
    /// - Parameters:
    ///   - patterns: ``GlobPattern`` texts, relative to `directory` or absolute.
    ///   - directory: the absolute folder relative patterns start from (the job's working directory).
    /// - Returns: paths written the way the patterns are (relative patterns give relative paths).
    package static func files(matching patterns: [String], in directory: String) -> [String] {
        var found = Set<String>()
        for text in patterns where !text.isEmpty {
            for alternative in GlobPattern.expandBraces(text) {
                found.formUnion(files(matching: GlobPattern(alternative), in: directory))
            }
        }
        return found.sorted()
    }

    /// Walks only below the pattern's literal folders, so that `src/**/*.py` never lists the whole tree.
    private static func files(matching pattern: GlobPattern, in directory: String) -> [String] {
        let isAbsolute = pattern.text.hasPrefix("/")
        let prefix = pattern.literalPrefix
        let base: String
        if isAbsolute {
            base = prefix.isEmpty ? "/" : prefix
        } else {
            base = prefix.isEmpty ? directory : directory + "/" + prefix
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isFolder), isFolder.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: base)
        else { return [] }
        let shown = prefix.isEmpty ? (isAbsolute ? "/" : "") : prefix + "/"
        var matches: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let candidate = shown + relative
            guard pattern.matches(candidate) else { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                matches.append(candidate)
            }
        }
        return matches
    }
}

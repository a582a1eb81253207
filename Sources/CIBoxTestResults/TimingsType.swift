// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation

/// What the items given to `circleci tests split --split-by=timings` are.
package enum TimingsType: String, Sendable, CaseIterable {
    /// Test file paths.
    case filename
    /// Class names.
    case classname
    /// Test names (or `classname.name`).
    case testname
    /// Whichever of the above matches the most items.
    case autodetect

    /// The timing of each of `items` found in `timings`, read as this type.
    /// - Parameters:
    ///   - items: the tests to split.
    ///   - timings: the job's stored timings.
    /// - Returns: the type used (never `autodetect`; nil when autodetect found no item) and the weights found.
    package func weights(of items: [String], in timings: TestTimings) -> (TimingsType?, [String: Double]) {
        switch self {
        case .filename: return (.filename, Self.lookUp(items, in: timings.byFile, normalizing: true))
        case .classname: return (.classname, Self.lookUp(items, in: timings.byClass, normalizing: false))
        case .testname: return (.testname, Self.lookUp(items, in: timings.byTest, normalizing: false))
        case .autodetect:
            let candidates = [TimingsType.filename, .classname, .testname].map { $0.weights(of: items, in: timings) }
            guard let best = candidates.max(by: { $0.1.count < $1.1.count }), !best.1.isEmpty else {
                return (nil, [:])
            }
            return best
        }
    }

    private static func lookUp(_ items: [String], in table: [String: Double], normalizing: Bool) -> [String: Double] {
        guard normalizing else {
            let wanted = Set(items)
            return table.filter { wanted.contains($0.key) }
        }
        var normalized: [String: Double] = [:]
        for (path, seconds) in table { normalized[clean(path), default: 0] += seconds }
        var found: [String: Double] = [:]
        // Sorted, so that every parallel run picks the same match for an ambiguous suffix.
        let known = normalized.sorted { $0.key < $1.key }
        for item in items {
            let key = clean(item)
            if let seconds = normalized[key] {
                found[item] = seconds
            } else if let match = known.first(where: { $0.key.hasSuffix("/" + key) || key.hasSuffix("/" + $0.key) }) {
                found[item] = match.value
            }
        }
        return found
    }

    /// `./a//b` → `a/b`: reporters and globs write the same file differently.
    private static func clean(_ path: String) -> String {
        var text = path
        while text.hasPrefix("./") { text.removeFirst(2) }
        while text.contains("//") { text = text.replacingOccurrences(of: "//", with: "/") }
        return text
    }
}

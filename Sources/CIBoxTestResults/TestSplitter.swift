// cibox — CI in a box. MIT licence, see LICENSE.

/// How `circleci tests split` divides tests between the parallel runs of a job.
package enum SplitStrategy: String, Sendable, CaseIterable {
    /// Sorted by name, dealt out in turn.
    case name
    /// Balanced by file size in bytes.
    case filesize
    /// Balanced by the durations stored by earlier runs of the job.
    case timings
}

/// Deterministic splitting: every parallel run computes the same partition from the same input, so each item
/// lands on exactly one node. CircleCI does not document its algorithm (SPEC §12); these are cibox's.
package enum TestSplitter {
    /// The items of node `index` of `total` when split by name: sorted, then dealt out in turn (item `i` of the
    /// sorted list goes to node `i % total`), so every node gets an alphabetical, evenly sized share.
    /// - Parameters:
    ///   - items: the tests (duplicates count once).
    ///   - index: this node, `0..<total`.
    ///   - total: the number of nodes (at least 1).
    /// - Returns: this node's items, sorted.
    package static func byName(_ items: [String], index: Int, total: Int) -> [String] {
        let sorted = unique(items).sorted()
        let nodes = max(1, total)
        return sorted.enumerated().filter { $0.offset % nodes == index }.map(\.element)
    }

    /// The items of node `index` of `total` balanced by weight: greedy longest-first onto the least-loaded
    /// node (ties: the lower node), which keeps the heaviest node within the largest item of the ideal.
    /// - Parameters:
    ///   - items: the tests (duplicates count once).
    ///   - weights: each item's weight (seconds or bytes); items missing get `defaultWeight`.
    ///   - defaultWeight: the weight of items without one.
    ///   - index: this node, `0..<total`.
    ///   - total: the number of nodes (at least 1).
    /// - Returns: this node's items, in input order.
    package static func byWeight(
        _ items: [String], weights: [String: Double], defaultWeight: Double, index: Int, total: Int
    ) -> [String] {
        let nodes = partition(items, weights: weights, defaultWeight: defaultWeight, total: total)
        guard nodes.indices.contains(index) else { return [] }
        let mine = Set(nodes[index])
        return unique(items).filter { mine.contains($0) }
    }

    /// Every node's items for a weighted split (see ``byWeight(_:weights:defaultWeight:index:total:)``).
    /// - Returns: `total` lists, node 0 first.
    package static func partition(
        _ items: [String], weights: [String: Double], defaultWeight: Double, total: Int
    ) -> [[String]] {
        let nodes = max(1, total)
        let ordered = unique(items).map { ($0, weights[$0] ?? defaultWeight) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var loads = [Double](repeating: 0, count: nodes)
        var assigned = [[String]](repeating: [], count: nodes)
        for (item, weight) in ordered {
            var lightest = 0
            for node in 1..<nodes where loads[node] < loads[lightest] { lightest = node }
            loads[lightest] += weight
            assigned[lightest].append(item)
        }
        return assigned
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestResults
import Testing

@Suite struct TestSplitterTests {
    @Test func byNameDealsSortedItemsInTurn() {
        let items = ["e", "a", "d", "b", "c", "a"]
        #expect(TestSplitter.byName(items, index: 0, total: 2) == ["a", "c", "e"])
        #expect(TestSplitter.byName(items, index: 1, total: 2) == ["b", "d"])
        #expect(TestSplitter.byName(items, index: 0, total: 1) == ["a", "b", "c", "d", "e"])
    }

    @Test func weightsBalanceTwoNodes() {
        let weights: [String: Double] = ["a": 8, "b": 7, "c": 6, "d": 5, "e": 4, "f": 3, "g": 2, "h": 1]
        let items = weights.keys.sorted()
        let nodes = TestSplitter.partition(items, weights: weights, defaultWeight: 0, total: 2)
        let loads = nodes.map { $0.reduce(0) { $0 + (weights[$1] ?? 0) } }
        #expect(loads == [18, 18])
        #expect(Set(nodes[0]).isDisjoint(with: nodes[1]))
        #expect(Set(nodes.joined()) == Set(items))
        #expect(
            TestSplitter.byWeight(items, weights: weights, defaultWeight: 0, index: 0, total: 2) == nodes[0].sorted())
    }

    @Test func bySizeBalancesBytesAndSpreadsUnknownItems() {
        let weights: [String: Double] = ["big": 1000, "mid": 600, "small": 400]
        let nodes = TestSplitter.partition(
            ["small", "mid", "big", "new1", "new2"], weights: weights, defaultWeight: 0, total: 2)
        #expect(nodes[0].contains("big"))
        #expect(Set(nodes[1]).isSuperset(of: ["mid", "small"]))
        #expect(Set(nodes.joined()).count == 5)
    }

    @Test func moreNodesThanItemsLeavesSomeEmpty() {
        let nodes = TestSplitter.partition(["a"], weights: [:], defaultWeight: 1, total: 3)
        #expect(nodes == [["a"], [], []])
    }

    @Test func timingsTypeAutodetectsFilesClassesAndNames() {
        let timings = TestTimings(
            byFile: ["./tests/test_a.py": 3, "tests/test_b.py": 1], byClass: ["pkg.A": 2], byTest: ["test_x": 5])
        let files = TimingsType.autodetect.weights(of: ["tests/test_a.py", "tests/test_b.py"], in: timings)
        #expect(files.0 == .filename)
        #expect(files.1 == ["tests/test_a.py": 3, "tests/test_b.py": 1])
        let classes = TimingsType.autodetect.weights(of: ["pkg.A", "pkg.B"], in: timings)
        #expect(classes.0 == .classname)
        #expect(classes.1 == ["pkg.A": 2])
        let none = TimingsType.autodetect.weights(of: ["nothing"], in: timings)
        #expect(none.0 == nil)
        // A file recorded relative to another folder still matches by suffix.
        #expect(TimingsType.filename.weights(of: ["app/tests/test_b.py"], in: timings).1 == ["app/tests/test_b.py": 1])
    }
}

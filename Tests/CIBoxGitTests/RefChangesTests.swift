// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import Testing

@Suite struct RefChangesTests {
    static let a = String(repeating: "a", count: 40)
    static let b = String(repeating: "b", count: 40)
    static let c = String(repeating: "c", count: 40)

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var old: [String: String]
        var new: [String: String]
        var expected: [RefChange]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "nothing changed", old: ["refs/heads/main": a], new: ["refs/heads/main": a], expected: []),
        Case(
            label: "moved branch", old: ["refs/heads/main": a], new: ["refs/heads/main": b],
            expected: [RefChange(ref: "refs/heads/main", oldSHA: a, newSHA: b)]),
        Case(
            label: "new branch", old: [:], new: ["refs/heads/feature/x": c],
            expected: [RefChange(ref: "refs/heads/feature/x", oldSHA: nil, newSHA: c)]),
        Case(
            label: "new tag", old: ["refs/heads/main": a], new: ["refs/heads/main": a, "refs/tags/v1": a],
            expected: [RefChange(ref: "refs/tags/v1", oldSHA: nil, newSHA: a)]),
        Case(
            label: "deleted branch", old: ["refs/heads/main": a, "refs/heads/old": b], new: ["refs/heads/main": a],
            expected: []),
        Case(
            label: "other namespaces ignored", old: [:],
            new: ["refs/remotes/origin/main": a, "refs/notes/commits": b, "HEAD": c, "refs/pull/1/head": a],
            expected: []),
        Case(
            label: "several, sorted", old: ["refs/heads/main": a, "refs/tags/v1": a, "refs/heads/gone": a],
            new: ["refs/tags/v1": b, "refs/heads/main": c, "refs/heads/dev": a],
            expected: [
                RefChange(ref: "refs/heads/dev", oldSHA: nil, newSHA: a),
                RefChange(ref: "refs/heads/main", oldSHA: a, newSHA: c),
                RefChange(ref: "refs/tags/v1", oldSHA: a, newSHA: b),
            ]),
    ]

    @Test(arguments: cases) func diff(_ testCase: Case) {
        #expect(RefChanges.between(old: testCase.old, new: testCase.new) == testCase.expected)
    }

    @Test func shortNames() {
        #expect(RefChange(ref: "refs/heads/feature/x", oldSHA: nil, newSHA: Self.a).branch == "feature/x")
        #expect(RefChange(ref: "refs/heads/feature/x", oldSHA: nil, newSHA: Self.a).tag == nil)
        #expect(RefChange(ref: "refs/tags/v1.0", oldSHA: nil, newSHA: Self.a).tag == "v1.0")
    }
}

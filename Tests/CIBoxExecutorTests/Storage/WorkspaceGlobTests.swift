// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct WorkspaceGlobTests {
    static let files = [
        "build/app", "build/lib/a.so", "report-1.txt", "report-2.txt", ".hidden", "docs/x/y/z.md", "docs/top.md",
    ]

    @Test(arguments: [
        ("*", ["", ".hidden", "build", "docs", "report-1.txt", "report-2.txt"]),
        ("report-*.txt", ["report-1.txt", "report-2.txt"]),
        ("report-?.txt", ["report-1.txt", "report-2.txt"]),
        ("report-[2].txt", ["report-2.txt"]),
        ("build", ["build"]),
        ("./build/", ["build"]),
        ("build/*", ["build/app", "build/lib"]),
        ("docs/**/*.md", ["docs/top.md", "docs/x/y/z.md"]),
        ("**/a.so", ["build/lib/a.so"]),
        ("nothing*", []),
        ("missing/dir", []),
        ("../outside", []),
    ])
    func expandsLikeCircleCI(pattern: String, expected: [String]) throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        for file in Self.files { try root.write("x", to: file) }
        #expect(WorkspaceGlob.matches(pattern, root: root.path) == expected.filter { !$0.isEmpty })
    }

    @Test func absolutePathsInsideTheRootAreRelativised() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        try root.write("x", to: "out/a")
        #expect(WorkspaceGlob.matches(root.appending("out"), root: root.path) == ["out"])
        #expect(WorkspaceGlob.matches("/elsewhere/out", root: root.path).isEmpty)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestResults
import CIBoxTestSupport
import Testing

@Suite struct TestGlobTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let pattern: String
        let path: String
        let matches: Bool
        var testDescription: String { "\(pattern) ~ \(path)" }
    }

    static let cases = [
        Case(pattern: "*.py", path: "a.py", matches: true),
        Case(pattern: "*.py", path: "dir/a.py", matches: false),
        Case(pattern: "**/*.py", path: "a.py", matches: true),
        Case(pattern: "**/*.py", path: "x/y/a.py", matches: true),
        Case(pattern: "tests/**/test_*.py", path: "tests/test_a.py", matches: true),
        Case(pattern: "tests/**/test_*.py", path: "tests/u/v/test_a.py", matches: true),
        Case(pattern: "tests/**", path: "tests/u/v/w.txt", matches: true),
        Case(pattern: "test_?.py", path: "test_a.py", matches: true),
        Case(pattern: "test_?.py", path: "test_ab.py", matches: false),
        Case(pattern: "test_[a-c].py", path: "test_b.py", matches: true),
        Case(pattern: "test_[!a-c].py", path: "test_b.py", matches: false),
        Case(pattern: "src/{app,lib}/*.js", path: "src/lib/x.js", matches: true),
        Case(pattern: "src/{app,lib}/*.js", path: "src/other/x.js", matches: false),
        Case(pattern: "*.{js,ts{,x}}", path: "a.tsx", matches: true),
    ]

    @Test(arguments: cases) func patternMatching(_ row: Case) {
        #expect(GlobPattern(row.pattern).matches(row.path) == row.matches)
    }

    @Test func globListsMatchingFilesSortedAndOnce() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for path in ["tests/b_test.py", "tests/a_test.py", "tests/sub/c_test.py", "tests/helper.py", "src/x.py"] {
            try folder.write("", to: path)
        }
        let files = TestGlob.files(matching: ["tests/**/*_test.py", "tests/a_*.py", "nothing/*"], in: folder.path)
        #expect(files == ["tests/a_test.py", "tests/b_test.py", "tests/sub/c_test.py"])
        let absolute = TestGlob.files(matching: [folder.path + "/src/*.py"], in: "/")
        #expect(absolute == [folder.path + "/src/x.py"])
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestResults
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct JUnitParserTests {
    private static func parse(_ xml: String) -> ([TestCase], String?) {
        JUnitParser.parse(data: Data(xml.utf8), name: "sample.xml")
    }

    /// One row per reporter: how many cases, failed (failures + errors) and skipped it reports.
    struct Variant: CustomTestStringConvertible, Sendable {
        let id: String
        let xml: String
        let counts: TestCounts
        var testDescription: String { id }
    }

    static let variants = [
        Variant(id: "pytest", xml: JUnitSamples.pytest, counts: TestCounts(total: 5, failed: 2, skipped: 1)),
        Variant(id: "jest-junit", xml: JUnitSamples.jest, counts: TestCounts(total: 3, failed: 1, skipped: 0)),
        Variant(
            id: "go-junit-report", xml: JUnitSamples.goJUnitReport, counts: TestCounts(total: 3, failed: 1, skipped: 1)),
        Variant(id: "surefire", xml: JUnitSamples.surefire, counts: TestCounts(total: 3, failed: 1, skipped: 1)),
        Variant(id: "xcpretty", xml: JUnitSamples.xcpretty, counts: TestCounts(total: 3, failed: 1, skipped: 0)),
        Variant(id: "swift test", xml: JUnitSamples.swiftTest, counts: TestCounts(total: 2, failed: 1, skipped: 0)),
    ]

    @Test(arguments: variants) func readsEachReportersDialect(_ variant: Variant) {
        let (cases, warning) = Self.parse(variant.xml)
        #expect(warning == nil)
        #expect(TestCounts(cases) == variant.counts)
        #expect(cases.allSatisfy { !$0.name.isEmpty })
    }

    @Test func pytestKeepsClassFileDurationAndFailureText() throws {
        let (cases, _) = Self.parse(JUnitSamples.pytest)
        let divide = try #require(cases.first { $0.name == "test_divide" })
        #expect(divide.suite == "pytest")
        #expect(divide.className == "tests.test_math")
        #expect(divide.file == "tests/test_math.py")
        #expect(divide.duration == 0.002)
        #expect(divide.result == .failure)
        let message = try #require(divide.message)
        #expect(message.hasPrefix("assert 1 == 2\ndef test_divide():"))
        #expect(message.hasSuffix("tests/test_math.py:9: AssertionError"))
        let read = try #require(cases.first { $0.name == "test_read" })
        #expect(read.result == .error)
        #expect(read.message == "failed on setup with \"FileNotFoundError\"\nfixture 'data' raised")
        let ok = try #require(cases.first { $0.name == "test_ok" })
        #expect(ok.result == .success)
        #expect(ok.message == nil)  // system-out is ignored
    }

    @Test func jestFailureTextComesFromCDATA() throws {
        let (cases, _) = Self.parse(JUnitSamples.jest)
        let failed = try #require(cases.first { $0.result == .failure })
        #expect(failed.message?.hasPrefix("Error: expect(received).toBe(expected)") == true)
        #expect(failed.file == "src/sum.test.js")
        #expect(failed.suite == "jest tests/src/sum.test.js" || failed.suite == "src/sum.test.js")
    }

    @Test func surefireTimesWithThousandsSeparatorsAndABareSuiteRoot() throws {
        let (cases, _) = Self.parse(JUnitSamples.surefire)
        #expect(cases.first?.duration == 1200.25)
        #expect(cases.first?.suite == "com.example.CalculatorTest")
        let failed = try #require(cases.first { $0.result == .failure })
        #expect(failed.message?.hasPrefix("expected: <2> but was: <3>\norg.opentest4j.AssertionFailedError") == true)
    }

    @Test func nestedSuitesJoinNamesAndInheritTheFile() {
        let (cases, warning) = Self.parse(JUnitSamples.nested)
        #expect(warning == nil)
        #expect(cases.map(\.name) == ["top", "deep", "deepest", "after"])
        #expect(cases.map(\.suite) == ["outer", "outer/inner", "outer/inner/innermost", "outer"])
        #expect(
            cases.map(\.file) == [
                "spec/outer_spec.rb", "spec/outer_spec.rb", "spec/innermost_spec.rb", "spec/outer_spec.rb",
            ])
        #expect(cases.map(\.duration) == [1, 2, 3, 4])
    }

    @Test func malformedXMLIsAWarningKeepingTheCasesBeforeIt() throws {
        let xml =
            "<testsuite name=\"s\"><testcase name=\"a\" time=\"1\"/><testcase name=\"b\"><failure>oops</testsuite>"
        let (cases, warning) = Self.parse(xml)
        #expect(cases.map(\.name) == ["a"])
        let text = try #require(warning)
        #expect(text.hasPrefix("Test results file 'sample.xml' is not well-formed XML (line 1"))
        #expect(text.contains("kept the 1 test cases read before it"))
    }

    @Test func otherXMLIsSkippedWithAWarning() {
        let (cases, warning) = Self.parse("<project><testcase name=\"x\"/></project>")
        #expect(cases.isEmpty)
        #expect(
            warning == "Test results file 'sample.xml' is not JUnit XML (no <testsuites> or <testsuite>); skipped it.")
    }

    @Test func tenThousandNestedSuitesDoNotCrash() {
        let (cases, warning) = Self.parse(Self.nested(depth: 10_000))
        // libxml2's SAX parser streams it; the collector keeps the first 64 suite names, so no stack or path grows.
        #expect(warning == nil)
        #expect(cases.map(\.name) == ["deep"])
        #expect(cases.first?.suite.split(separator: "/").count == JUnitParser.maximumSuiteDepth)
    }

    @Test func nestingJustPastTheCapIsReadWithTheSuitePathCapped() {
        let (cases, warning) = Self.parse(Self.nested(depth: JUnitParser.maximumSuiteDepth + 1))
        #expect(warning == nil)
        #expect(cases.map(\.name) == ["deep"])
        #expect(cases.first?.suite.split(separator: "/").count == JUnitParser.maximumSuiteDepth)
    }

    /// A report with one case inside `depth` nested suites.
    static func nested(depth: Int) -> String {
        "<testsuites>" + String(repeating: "<testsuite name=\"s\">", count: depth)
            + "<testcase name=\"deep\" time=\"1\"/>" + String(repeating: "</testsuite>", count: depth) + "</testsuites>"
    }

    @Test func longMessagesAreCut() throws {
        let body = String(repeating: "x", count: 50_000)
        let (cases, _) = Self.parse("<testsuite><testcase name=\"a\"><failure>\(body)</failure></testcase></testsuite>")
        let message = try #require(cases.first?.message)
        #expect(message.count == JUnitParser.maximumMessageLength + 1)
        #expect(message.hasSuffix("…"))
    }

    @Test func aFolderIsSearchedRecursivelyForXMLFiles() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write(JUnitSamples.pytest, to: "results/python/junit.xml")
        try folder.write(JUnitSamples.goJUnitReport, to: "results/go/report.XML")
        try folder.write("<testsuite><testcase", to: "results/broken.xml")
        try folder.write("not xml at all", to: "results/notes.txt")
        let report = JUnitParser.read(path: folder.appending("results"))
        #expect(
            report.files.map { String($0.dropFirst(folder.path.count + 1)) } == [
                "results/broken.xml", "results/go/report.XML", "results/python/junit.xml",
            ])
        #expect(report.cases.count == 8)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("broken.xml") == true)
    }

    @Test func aMissingPathIsAWarning() {
        let report = JUnitParser.read(path: "/nonexistent/cibox/results")
        #expect(report.cases.isEmpty)
        #expect(
            report.warnings == [
                "No test results at '/nonexistent/cibox/results': nothing there. Check the `path` of store_test_results."
            ])
    }
}

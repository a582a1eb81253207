// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What reading JUnit XML gave: the test cases, and a warning per file that could not be read in full.
package struct JUnitReport: Sendable, Equatable {
    /// The test cases, in file and document order.
    package var cases: [TestCase]
    /// One sentence per problem (malformed XML, not JUnit, unreadable), naming the file.
    package var warnings: [String]
    /// The files that were read.
    package var files: [String]

    /// Makes a report.
    package init(cases: [TestCase] = [], warnings: [String] = [], files: [String] = []) {
        self.cases = cases
        self.warnings = warnings
        self.files = files
    }
}

/// Reads the JUnit XML dialects that test runners write (pytest, jest-junit, go-junit-report, Maven Surefire,
/// XCTest/xcpretty, `swift test --xunit-output`) with Foundation's streaming `XMLParser`.
///
/// Malformed input never throws: the cases read before the error are kept and a warning says what went wrong.
package enum JUnitParser {
    /// How deep suites may nest before deeper ones are folded into the deepest kept one.
    package static let maximumSuiteDepth = 64
    /// How many characters of a failure's message and text are kept.
    package static let maximumMessageLength = 4000

    /// Reads the file or folder `path` (a folder is searched recursively for `*.xml`).
    /// - Parameter path: an absolute path.
    /// - Returns: the cases of every file, and warnings for files that could not be read in full.
    package static func read(path: String) -> JUnitReport {
        let files: [String]
        do {
            files = try TestResultFiles.find(at: path)
        } catch {
            return JUnitReport(warnings: [error.message])
        }
        var report = JUnitReport(files: files)
        for file in files {
            let (cases, warning) = parse(file: file)
            report.cases += cases
            if let warning { report.warnings.append(warning) }
        }
        return report
    }

    /// Parses one file, streaming it from disk.
    /// - Returns: its cases and, when it could not be read in full, a warning naming it.
    package static func parse(file: String) -> ([TestCase], String?) {
        guard let stream = InputStream(fileAtPath: file) else {
            return ([], "Cannot read the test results file '\(file)'; skipped it.")
        }
        return parse(XMLParser(stream: stream), name: file)
    }

    /// Parses a document held in memory.
    /// - Parameters:
    ///   - data: the XML.
    ///   - name: what warnings call it.
    /// - Returns: its cases and, when it could not be read in full, a warning naming it.
    package static func parse(data: Data, name: String) -> ([TestCase], String?) {
        parse(XMLParser(data: data), name: name)
    }

    private static func parse(_ parser: XMLParser, name: String) -> ([TestCase], String?) {
        let collector = JUnitCollector(maximumDepth: maximumSuiteDepth, maximumMessage: maximumMessageLength)
        parser.delegate = collector
        parser.shouldResolveExternalEntities = false
        let succeeded = parser.parse()
        let code = collector.firstError?.code ?? (parser.parserError as NSError?)?.code
        if !succeeded || code != nil {
            let line = collector.firstError?.line ?? parser.lineNumber
            let column = collector.firstError?.column ?? parser.columnNumber
            let kept = collector.cases.isEmpty ? "" : "; kept the \(collector.cases.count) test cases read before it"
            return (
                collector.cases,
                "Test results file '\(name)' is not well-formed XML (line \(line), column \(column): "
                    + "\(describe(code)))\(kept). Check the reporter that wrote it."
            )
        }
        guard collector.sawJUnitRoot else {
            return ([], "Test results file '\(name)' is not JUnit XML (no <testsuites> or <testsuite>); skipped it.")
        }
        return (collector.cases, nil)
    }

    /// Words for the `XMLParser` error codes malformed reports cause (Foundation's own descriptions are empty
    /// on Linux).
    private static func describe(_ code: Int?) -> String {
        switch code {
        case nil: "unknown error"
        case 4: "the document is empty"
        case 5: "the document ends too early"
        case 9: "an invalid character"
        case 73: "'>' expected"
        case 76: "a closing tag does not match the open one"
        case 111: "elements nested too deeply"
        case let code?: "XMLParser error \(code)"
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
internal import CLibxml2
package import Foundation

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
/// XCTest/xcpretty, `swift test --xunit-output`) with libxml2's streaming reader (no tree is built, no network
/// or external entity is ever read).
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
        parse(name: file) { handlers, context, line, column in
            cibox_xml_parse_file(file, handlers, context, line, column)
        }
    }

    /// Parses a document held in memory.
    /// - Parameters:
    ///   - data: the XML.
    ///   - name: what warnings call it.
    /// - Returns: its cases and, when it could not be read in full, a warning naming it.
    package static func parse(data: Data, name: String) -> ([TestCase], String?) {
        parse(name: name) { handlers, context, line, column in
            data.withUnsafeBytes { bytes in
                cibox_xml_parse_memory(
                    bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), name, handlers, context,
                    line, column)
            }
        }
    }

    /// The callbacks libxml2 calls, each handing the event to the ``JUnitCollector`` passed as context.
    private static let handlers = cibox_xml_handlers(
        start: { context, name, attributes in
            var values: [String: String] = [:]
            var index = 0
            while let attributes, let key = attributes[index] {
                values[String(cString: key)] = attributes[index + 1].map { String(cString: $0) } ?? ""
                index += 2
            }
            collector(context).start(name.map { String(cString: $0) } ?? "", attributes: values)
        },
        end: { context, name in
            collector(context).end(name.map { String(cString: $0) } ?? "")
        },
        text: { context, bytes, length in
            guard let bytes, length > 0 else { return }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(length))
            collector(context).characters(String(decoding: buffer, as: UTF8.self))
        }
    )

    /// The collector behind a callback's context.
    private static func collector(_ context: UnsafeMutableRawPointer?) -> JUnitCollector {
        guard let context else { preconditionFailure("libxml2 called back without the collector") }
        return Unmanaged<JUnitCollector>.fromOpaque(context).takeUnretainedValue()
    }

    /// Runs `parser` (a `cibox_xml_parse_*` call) with a collector, and turns what it saw into cases and a
    /// warning.
    private static func parse(
        name: String,
        _ parser: (
            UnsafePointer<cibox_xml_handlers>, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>,
            UnsafeMutablePointer<Int32>
        ) -> Int32
    ) -> ([TestCase], String?) {
        let collector = JUnitCollector(maximumDepth: maximumSuiteDepth, maximumMessage: maximumMessageLength)
        var line: Int32 = 0
        var column: Int32 = 0
        var handlers = Self.handlers
        let code = withExtendedLifetime(collector) {
            parser(&handlers, Unmanaged.passUnretained(collector).toOpaque(), &line, &column)
        }
        if code == CIBOX_XML_UNREADABLE {
            return ([], "Cannot read the test results file '\(name)'; skipped it.")
        }
        if code != 0 {
            let kept = collector.cases.isEmpty ? "" : "; kept the \(collector.cases.count) test cases read before it"
            return (
                collector.cases,
                "Test results file '\(name)' is not well-formed XML (line \(line), column \(column): "
                    + "\(describe(Int(code))))\(kept). Check the reporter that wrote it."
            )
        }
        guard collector.sawJUnitRoot else {
            return ([], "Test results file '\(name)' is not JUnit XML (no <testsuites> or <testsuite>); skipped it.")
        }
        return (collector.cases, nil)
    }

    /// Words for libxml2's error codes (`xmlParserErrors`) that malformed reports cause.
    private static func describe(_ code: Int) -> String {
        switch code {
        case -1: "unknown error"
        case 4: "the document is empty"
        case 5: "the document ends too early"
        case 9: "an invalid character"
        case 73: "'>' expected"
        case 76: "a closing tag does not match the open one"
        case 111: "elements nested too deeply"
        case let code: "libxml2 error \(code)"
        }
    }
}

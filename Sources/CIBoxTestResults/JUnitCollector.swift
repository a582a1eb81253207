// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The `XMLParser` delegate that turns JUnit elements into ``TestCase``s as they stream past.
///
/// It keeps no tree: a stack of the open suites (capped, so that absurd nesting costs nothing) and the case
/// being read. The parser calls it from one thread, so it needs no locking.
final class JUnitCollector: NSObject, XMLParserDelegate {
    /// The cases read so far.
    private(set) var cases: [TestCase] = []
    /// Whether the document's root was `<testsuites>` or `<testsuite>`.
    private(set) var sawJUnitRoot = false

    private let maximumDepth: Int
    private let maximumMessage: Int
    /// The open suites kept (at most `maximumDepth`): their names and `file` attributes.
    private var suites: [(name: String, file: String?)] = []
    /// Open suites deeper than `maximumDepth`, only counted.
    private var hiddenSuites = 0
    private var elementDepth = 0
    private var current: TestCase?
    /// The text of the `<failure>`, `<error>` or `<skipped>` being read, if any.
    private var text: String?
    /// UTF-8 bytes in `text`; collecting stops well past what is kept.
    private var textLength = 0

    init(maximumDepth: Int, maximumMessage: Int) {
        self.maximumDepth = maximumDepth
        self.maximumMessage = maximumMessage
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elementDepth += 1
        if elementDepth == 1 { sawJUnitRoot = elementName == "testsuites" || elementName == "testsuite" }
        guard sawJUnitRoot else { return }
        switch elementName {
        case "testsuite":
            if suites.count < maximumDepth {
                suites.append((attributes["name"] ?? "", attributes["file"] ?? attributes["filepath"]))
            } else {
                hiddenSuites += 1
            }
        case "testcase":
            current = TestCase(
                suite: suites.map(\.name).filter { !$0.isEmpty }.joined(separator: "/"),
                className: attributes["classname"] ?? attributes["class"] ?? "",
                name: attributes["name"] ?? "",
                file: attributes["file"] ?? attributes["filepath"] ?? suites.last(where: { $0.file != nil })?.file,
                duration: Self.seconds(attributes["time"])
            )
        case "failure", "error", "skipped":
            startOutcome(elementName, message: attributes["message"])
        default:
            break
        }
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
    ) {
        elementDepth -= 1
        guard sawJUnitRoot else { return }
        switch elementName {
        case "testsuite":
            if hiddenSuites > 0 { hiddenSuites -= 1 } else { _ = suites.popLast() }
        case "testcase":
            if var finished = current {
                finished.message = finished.message.flatMap { trimmed($0) }
                cases.append(finished)
            }
            current = nil
        case "failure", "error", "skipped":
            if let body = text?.trimmingCharacters(in: .whitespacesAndNewlines), !body.isEmpty, current != nil {
                let head = current?.message ?? ""
                current?.message = head.isEmpty ? body : head.hasPrefix(body) ? head : head + "\n" + body
            }
            text = nil
        default:
            break
        }
    }

    /// The first error libxml2 reported: its code, line and column. swift-corelibs-foundation's `parse()` can
    /// return true after errors, so the delegate is the reliable witness.
    private(set) var firstError: (code: Int, line: Int, column: Int)?

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard firstError == nil else { return }
        firstError = ((parseError as NSError).code, parser.lineNumber, parser.columnNumber)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard text != nil, textLength <= maximumMessage * 4 else { return }
        text?.append(string)
        textLength += string.utf8.count
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        self.parser(parser, foundCharacters: String(decoding: CDATABlock, as: UTF8.self))
    }

    /// A `<failure>`, `<error>` or `<skipped>` inside a case: the worst outcome wins, the first message stays.
    private func startOutcome(_ element: String, message: String?) {
        guard var testCase = current else { return }
        let result: TestCaseResult = element == "failure" ? .failure : element == "error" ? .error : .skipped
        if testCase.result == .success || (testCase.result == .skipped && result.isFailed) {
            testCase.result = result
            testCase.message = message.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            text = ""
            textLength = 0
        }
        current = testCase
    }

    /// `message` cut to the maximum length, marked when cut.
    private func trimmed(_ message: String) -> String? {
        let clean = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if clean.isEmpty { return nil }
        guard clean.count > maximumMessage else { return clean }
        return String(clean.prefix(maximumMessage)) + "…"
    }

    /// Seconds from a `time` attribute; reporters write `1.5`, `1,234.5` (Surefire) or nothing.
    static func seconds(_ text: String?) -> Double {
        guard let text else { return 0 }
        let value = Double(text.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)) ?? 0
        return value.isFinite && value > 0 ? value : 0
    }
}

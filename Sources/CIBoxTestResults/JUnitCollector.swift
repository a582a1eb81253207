// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation

/// Turns JUnit elements into ``TestCase``s as ``JUnitParser`` streams them past.
///
/// It keeps no tree: a stack of the open suites (capped, so that absurd nesting costs nothing) and the case
/// being read. One parse uses it from one thread, so it needs no locking.
final class JUnitCollector {
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

    /// An element starts.
    func start(_ elementName: String, attributes: [String: String]) {
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

    /// An element ends (also right after the start of an empty element).
    func end(_ elementName: String) {
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

    /// Text or CDATA inside the current element.
    func characters(_ string: String) {
        guard text != nil, textLength <= maximumMessage * 4 else { return }
        text?.append(string)
        textLength += string.utf8.count
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

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Testing

/// Golden files: expected pages kept under `Golden/` (bundled as test resources). Run the tests with
/// `CIBOX_UPDATE_GOLDEN=1` to write the current output as the new golden files, then review the diff.
enum Golden {
    /// The source folder of the golden files (where updates are written).
    static var sourceFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    }

    /// Checks `actual` against golden file `name`.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if ProcessInfo.processInfo.environment["CIBOX_UPDATE_GOLDEN"] == "1" {
            try Data(actual.utf8).write(to: URL(fileURLWithPath: sourceFolder + "/" + name))
            return
        }
        let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden")
        let expected = try url.map { try String(contentsOf: $0, encoding: .utf8) }
        #expect(
            expected != nil, "no golden file \(name); run with CIBOX_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
        guard let expected, expected != actual else { return }
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let first =
            Array(zip(actualLines, expectedLines)).firstIndex { $0 != $1 }
            ?? min(actualLines.count, expectedLines.count)
        Issue.record(
            """
            \(name) differs from its golden file at line \(first + 1):
              expected: \(first < expectedLines.count ? String(expectedLines[first]) : "<end>")
              actual:   \(first < actualLines.count ? String(actualLines[first]) : "<end>")
            (run with CIBOX_UPDATE_GOLDEN=1 to accept)
            """, sourceLocation: sourceLocation)
    }
}

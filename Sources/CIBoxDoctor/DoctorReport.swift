// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
import Foundation

/// Everything `cibox doctor` found about this host and a home, in the order the checks ran.
package struct DoctorReport: Codable, Sendable, Equatable {
    /// The state folder checked.
    package var home: String
    /// Each check's finding.
    package var findings: [DoctorFinding]

    /// Makes a report.
    package init(home: String, findings: [DoctorFinding]) {
        self.home = home
        self.findings = findings
    }

    /// How many checks found a problem.
    package var problems: Int { findings.count { $0.status == .problem } }
    /// How many checks gave a warning.
    package var warnings: Int { findings.count { $0.status == .warning } }

    /// The last line: what the counts come to.
    package var verdict: String {
        switch (problems, warnings) {
        case (0, 0): "No problems found."
        case (0, let w): "No problems, \(Self.count(w, "warning"))."
        case (let p, let w): "\(Self.count(p, "problem")), \(Self.count(w, "warning"))."
        }
    }

    /// The report as `--json` prints it: `home`, `problems`, `warnings`, and `checks` (each `check`, `status`,
    /// `summary` and `fix`, null when there is nothing to do), keys sorted.
    /// - Throws: ``InternalError`` if the encoder fails (these values always encode).
    package func json() throws(InternalError) -> String {
        struct Output: Encodable {
            var home: String
            var problems: Int
            var warnings: Int
            var checks: [DoctorFinding]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let output = Output(home: home, problems: problems, warnings: warnings, checks: findings)
        do {
            return String(decoding: try encoder.encode(output), as: UTF8.self) + "\n"
        } catch {
            throw InternalError("cannot encode the doctor's report: \(error)")
        }
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxDoctor
import Foundation

/// `cibox doctor`: what is wrong with this host and the home, and what to do about it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this host and the state folder, and say what to fix.",
        discussion: """
            Checks the settings file, cgroups (v1 or v2, the controllers, and that a job's cgroup can be made: it \
            makes and removes one), the job agent, runc, skopeo and podman (found, and their versions), the state \
            folder's owner and modes and the free space on its disk, the database (SQLite's integrity check, its \
            schema against this cibox's), the image store (each image's manifest, config and layers), the Slurm \
            cluster when settings.yml configures one, and the systemd service. Changes nothing else.
            Exit status: 0 no problem (warnings allowed), 1 at least one problem.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON object on standard output.")
    var json = false

    func run() async throws {
        let report = await Doctor.examine(home: global.homeDirectory)
        if json {
            Terminal.output(data: try report.json())
        } else {
            Terminal.output(Self.text(report))
        }
        if report.problems > 0 { throw ExitCode(1) }
    }

    /// The report for a terminal: one line per check (its status, name and summary), each fix indented below it,
    /// then the counts. What the checks found (paths, programs' messages) is shown, never obeyed.
    static func text(_ report: DoctorReport) -> TerminalString {
        let width = report.findings.map(\.check.count).max() ?? 0
        var text: TerminalString = "cibox doctor: \(report.home)\n"
        for finding in report.findings {
            let status = finding.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
            let name = finding.check.padding(toLength: width, withPad: " ", startingAt: 0)
            text = "\(text)\(status) \(name)  \(finding.summary)\n"
            if let fix = finding.fix {
                text = "\(text)\(String(repeating: " ", count: 9 + width + 2))→ \(fix)\n"
            }
        }
        return "\(text)\(report.verdict)\n"
    }
}

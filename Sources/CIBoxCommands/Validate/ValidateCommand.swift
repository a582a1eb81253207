// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel

/// `cibox validate`: reports every problem of a config as `FILE:LINE:COLUMN: error|warning: MESSAGE`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a config and report all its problems.",
        discussion: "Exit status: 0 valid (warnings allowed), 2 errors found or no config."
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var input: ConfigInput

    func run() throws {
        let report = try input.report(home: global.homeDirectory)
        let errors = report.diagnostics.filter { $0.severity == .error }.count
        let warnings = report.diagnostics.count - errors
        guard let configuration = report.configuration, errors == 0 else {
            Terminal.error("\(report.file): \(errors) error(s), \(warnings) warning(s)\n")
            throw ExitCodes.cannotRun
        }
        let jobs = configuration.workflows.reduce(0) { $0 + $1.jobs.count }
        Terminal.output(
            "\(report.file): valid: \(configuration.workflows.count) workflow(s), \(jobs) job(s), \(warnings) warning(s)\n"
        )
    }
}

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

    @Argument(help: "A folder inside the repository, or the config file itself.")
    var path: String = "."

    @Option(
        name: .customLong("param"), help: ArgumentHelp("A pipeline parameter (repeatable).", valueName: "key=value"))
    var parameters: [String] = []

    @Flag(help: "Report missing registry orbs as warnings and check everything else.")
    var allowMissingOrbs = false

    func run() throws {
        let report: ValidationReport
        let values = try ParameterList.parse(parameters)
        do {
            report = try ConfigValidation.validate(
                path: path, parameters: values, home: global.homeDirectory, allowMissingOrbs: allowMissingOrbs
            )
        } catch {
            PipelineRunFlow.report(error)
            throw ExitCodes.cannotRun
        }
        for diagnostic in report.diagnostics { Terminal.error(diagnostic.formatted + "\n") }
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

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel
import CIBoxSettings

/// The config a command checks without running it: `PATH`, `--param`, `--allow-missing-orbs`.
struct ConfigInput: ParsableArguments {
    @Argument(help: "A folder inside the repository, or the config file itself.")
    var path: String = "."

    @Option(
        name: .customLong("param"), help: ArgumentHelp("A pipeline parameter (repeatable).", valueName: "key=value"))
    var parameters: [String] = []

    @Flag(help: "Report missing registry orbs as warnings (their jobs fail when they run) and check everything else.")
    var allowMissingOrbs = false

    /// Compiles the config and prints every diagnostic on standard error.
    /// - Throws: exit status 2 when there is no config to read, or when settings.yml has errors.
    func report(home: String) throws -> ValidationReport {
        let values = try ParameterList.parse(parameters)
        let settings: Settings
        do {
            settings = try SettingsFile.load(home: home).0
        } catch {
            Terminal.print(error.diagnostics)
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        let report: ValidationReport
        do {
            report = try ConfigValidation.validate(
                path: path, parameters: values, home: home, allowMissingOrbs: allowMissingOrbs,
                maxExpandedBytes: settings.config.maxExpandedBytes
            )
        } catch {
            PipelineRunFlow.report(error)
            throw ExitCodes.cannotRun
        }
        Terminal.print(report.diagnostics)
        return report
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxPlanner
import Foundation

/// `cibox config`: work with configs without running them.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with a config without running it.",
        subcommands: [ConfigProcessCommand.self]
    )
}

/// `cibox config process`: the config as CircleCI's compiler expands it.
struct ConfigProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Print the expanded config (no orbs, commands, executors or parameters left; matrix expanded).",
        discussion: "With --json, the compiled plan for the work tree's branch instead."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A folder inside the repository, or the config file itself.")
    var path: String = "."

    @Option(
        name: .customLong("param"), help: ArgumentHelp("A pipeline parameter (repeatable).", valueName: "key=value"))
    var parameters: [String] = []

    @Flag(help: "Expand even when registry orbs are missing (their jobs fail when they run).")
    var allowMissingOrbs = false

    @Flag(help: "Print the compiled plan as JSON.")
    var json = false

    func run() throws {
        let values = try ParameterList.parse(parameters)
        let report: ValidationReport
        do {
            report = try ConfigValidation.validate(
                path: path, parameters: values, home: global.homeDirectory, allowMissingOrbs: allowMissingOrbs
            )
        } catch {
            PipelineRunFlow.report(error)
            throw ExitCodes.cannotRun
        }
        for diagnostic in report.diagnostics { Terminal.error(diagnostic.formatted + "\n") }
        guard let configuration = report.configuration else { throw ExitCodes.cannotRun }
        guard json else {
            Terminal.output(ProcessedConfig.render(configuration))
            return
        }
        do {
            let plan = try Planner.plan(configuration, branch: report.branch, tag: nil, selection: WorkflowSelection())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.output(String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n")
        } catch let error as PlanningError {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
    }
}

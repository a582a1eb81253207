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

    @OptionGroup var input: ConfigInput

    @Flag(help: "Print the compiled plan as JSON.")
    var json = false

    func run() throws {
        let report = try input.report(home: global.homeDirectory)
        guard let configuration = report.configuration else { throw ExitCodes.cannotRun }
        guard json else {
            Terminal.output(data: try ProcessedConfig.render(configuration))
            return
        }
        do {
            let plan = try Planner.plan(configuration, branch: report.branch, tag: nil, selection: WorkflowSelection())
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Terminal.output(data: String(decoding: try encoder.encode(plan), as: UTF8.self) + "\n")
        } catch let error as PlanningError {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import Foundation

/// `cibox agent`: what CircleCI's in-job commands (`circleci`, `circleci-agent`) do, done locally. Jobs reach
/// it through the two small scripts cibox puts on their PATH.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "CircleCI's in-job commands (circleci, circleci-agent), run inside jobs.",
        subcommands: [AgentContinueCommand.self]
    )
}

/// `circleci-agent continue`: continues a setup pipeline with a generated config.
struct AgentContinueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continue",
        abstract: "Continue this setup pipeline with another config once its workflow succeeds."
    )

    @Option(help: "The config to continue with.")
    var configurationPath = ".circleci/continue_config.yml"

    @Option(help: "Pipeline parameters: a JSON object, or the path of a file holding one.")
    var parameters = "{}"

    func run() throws {
        do {
            try Continuation.submit(
                configurationPath: configurationPath, parameters: parameters,
                directory: FileManager.default.currentDirectoryPath, environment: ProcessInfo.processInfo.environment
            )
        } catch {
            Terminal.fail(error.message)
            throw ExitCode.failure
        }
        Terminal.output("cibox: this pipeline continues with \(configurationPath) once the setup workflow succeeds\n")
    }
}

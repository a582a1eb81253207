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
        subcommands: [
            AgentContinueCommand.self, AgentFinishCommand.self, AgentPathFilteringCommand.self, AgentTestsCommand.self,
            AgentStepCommand.self, AgentRunJobCommand.self, AgentFilesCommand.self,
        ]
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

/// `circleci-agent finish`: ends a setup pipeline with its setup workflow (`continuation/finish`).
struct AgentFinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finish",
        abstract: "End this setup pipeline with its setup workflow: nothing continues it."
    )

    func run() throws {
        do {
            try Continuation.finish(environment: ProcessInfo.processInfo.environment)
        } catch {
            Terminal.fail(error.message)
            throw ExitCode.failure
        }
        Terminal.output("cibox: this pipeline ends with its setup workflow; nothing continues it\n")
    }
}

/// `circleci-agent path-filtering`: sets pipeline parameters from the changed paths, then continues.
struct AgentPathFilteringCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path-filtering",
        abstract: "Map the paths this commit changed to pipeline parameters and continue the pipeline."
    )

    @Option(help: "The revision to compare with (its merge base with this commit).")
    var baseRevision = "main"

    @Option(help: "Lines of 'REGEX PARAMETER VALUE'.")
    var mapping = ""

    @Option(help: "The config to continue with.")
    var configPath = ".circleci/continue_config.yml"

    @Option(help: "Where to write the parameters as JSON.")
    var outputPath = "/tmp/pipeline-parameters.json"

    func run() throws {
        let parameters: [String: String]
        do {
            parameters = try PathFiltering.run(
                baseRevision: baseRevision, mapping: mapping, configPath: configPath, outputPath: outputPath,
                directory: FileManager.default.currentDirectoryPath, environment: ProcessInfo.processInfo.environment
            )
        } catch {
            Terminal.fail(error.message)
            throw ExitCode.failure
        }
        let list = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        Terminal.output("cibox: continuing with \(configPath)\(list.isEmpty ? "" : " and " + list)\n")
    }
}

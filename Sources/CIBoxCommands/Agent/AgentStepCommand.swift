// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import Foundation

/// `circleci-agent step …`: controls the job from one of its steps.
struct AgentStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Control the running job from one of its steps.",
        subcommands: [AgentStepHaltCommand.self]
    )
}

/// `circleci-agent step halt`: the job ends successfully once the current step ends; later steps do not run.
struct AgentStepHaltCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "halt",
        abstract: "End the job successfully after the current step."
    )

    func run() throws {
        guard let path = ProcessInfo.processInfo.environment["CIBOX_HALT_FILE"], !path.isEmpty else {
            Terminal.fail("CIBOX_HALT_FILE is not set: `step halt` only works inside a job that cibox runs.")
            throw ExitCode.failure
        }
        guard FileManager.default.createFile(atPath: path, contents: Data()) else {
            Terminal.fail("Cannot create the halt file '\(path)'; the job's folder may be gone or read-only.")
            throw ExitCode.failure
        }
        Terminal.error("cibox: halting; the job ends successfully after this step\n")
    }
}

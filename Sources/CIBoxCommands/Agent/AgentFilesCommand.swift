// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxExecutor

/// `cibox agent files OPERATION …`: the built-in steps' file work, run by cibox in the job's sandbox as the job's
/// user (see `JobFileOperations` in CIBoxExecutor). Not for people.
struct AgentFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Do a built-in step's file work with the job's rights (cibox runs it inside jobs).",
        shouldDisplay: false
    )

    @Argument(parsing: .captureForPassthrough, help: "The operation and its operands.")
    var arguments: [String] = []

    func run() throws {
        let status = JobFileOperations.run(arguments)
        if status != 0 { throw ExitCode(status) }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics

/// What a finished command printed and how it exited.
package struct CommandOutput: Sendable, Equatable {
    /// Its exit status (128 + signal when killed).
    package var status: Int32
    /// Its standard output.
    package var stdout: String
    /// Its standard error.
    package var stderr: String

    /// Makes an output value.
    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a short command (`sbatch`, `squeue`, `scancel`, …) through swift-subprocess (``ExternalCommand``): its own
/// process group, outputs collected, killed at the timeout.
enum CommandRunner {
    /// Runs `program` (looked up on `PATH`) with `arguments`, at most `timeout` seconds.
    /// - Parameter environment: the whole environment of the command; nil keeps cibox's own.
    /// - Throws: ``SlurmError`` `command` when it cannot start or runs past the timeout (then it is killed).
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60
    ) async throws(SlurmError) -> CommandOutput {
        let command = ExternalCommand(
            program, arguments, environment: environment, timeout: .seconds(timeout))
        let output: ExternalCommand.Output
        do {
            output = try await command.run()
        } catch {
            throw SlurmError(
                .command,
                "Cannot run '\(program)': \(error.message). Install Slurm's client commands (Debian: slurm-client) "
                    + "on this machine and make sure they are on PATH.", cause: error)
        }
        if output.timedOut {
            throw SlurmError(
                .command, "'\(program) \(arguments.joined(separator: " "))' did not answer within \(Int(timeout)) s.")
        }
        return CommandOutput(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }
}

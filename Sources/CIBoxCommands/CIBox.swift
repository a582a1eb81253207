// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser

/// The `cibox` command: CI in a box.
struct CIBox: AsyncParsableCommand {
    /// The command's name, summary and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "cibox",
        abstract: "Run CircleCI pipelines on this machine: no Docker, no network.",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, ValidateCommand.self, PipelinesCommand.self, ShowCommand.self, LogsCommand.self,
            CancelCommand.self, ApproveCommand.self, RerunCommand.self, ContextCommand.self, ConfigCommand.self,
            AgentCommand.self, CacheCommand.self, ArtifactsCommand.self, DaemonCommand.self,
            ProjectCommand.self, TriggerCommand.self, GcCommand.self, StatusCommand.self, ReportCommand.self,
        ]
    )

    /// Makes the command (ArgumentParser requirement).
    init() {}
}

/// The executable's entry point: parses the command line and runs the command.
package enum Entrypoint {
    /// Runs `cibox` with the process's arguments and exits with the command's status.
    package static func main() async {
        await CIBox.main()
    }
}

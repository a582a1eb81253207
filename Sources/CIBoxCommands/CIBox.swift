// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser

/// The `cibox` command: CI in a box.
struct CIBox: AsyncParsableCommand {
    /// cibox's version, as `cibox --version` prints it.
    static let version = "0.1.0"

    /// The command's name, summary and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "cibox",
        abstract: "Run CircleCI pipelines on this machine: no Docker, no network.",
        version: version,
        subcommands: [
            RunCommand.self, ValidateCommand.self, PipelinesCommand.self, ShowCommand.self, LogsCommand.self,
            CancelCommand.self, ApproveCommand.self, RerunCommand.self, ContextCommand.self, ConfigCommand.self,
            AgentCommand.self, CacheCommand.self, ArtifactsCommand.self, DaemonCommand.self,
            ProjectCommand.self, TriggerCommand.self, GcCommand.self, StatusCommand.self, HookCommand.self,
            PrePushCommand.self, OrbCommand.self,
        ]
    )

    /// Makes the command (ArgumentParser requirement).
    init() {}
}

/// The executable's entry point: parses the command line and runs the command.
package enum Entrypoint {
    /// Runs `cibox` with the process's arguments and exits with the command's status.
    ///
    /// Two command lines skip building the whole command tree, which ArgumentParser does by reflecting over
    /// every subcommand (about 2 ms): `cibox --version`, and `cibox pre-push …`, which git runs on every push
    /// and which is parsed as a command of its own. Help (`-h`, `--help`) always takes the full path.
    package static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            Terminal.output(CIBox.version + "\n")
            return
        }
        if arguments.first == PrePushCommand.configuration.commandName,
            !arguments.contains(where: { ["-h", "--help", "help"].contains($0) })
        {
            await runAlone(PrePushCommand.self, Array(arguments.dropFirst()))
            return
        }
        await CIBox.main()
    }

    /// Parses `arguments` as `command` on its own and runs it, exiting as ArgumentParser's `main` would.
    private static func runAlone(_ command: any AsyncParsableCommand.Type, _ arguments: [String]) async {
        do {
            guard var parsed = try command.parseAsRoot(arguments) as? any AsyncParsableCommand else { return }
            try await parsed.run()
        } catch {
            command.exit(withError: error)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
import Foundation

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
            PrePushCommand.self, OrbCommand.self, ReportCommand.self, ImageCommand.self, RegistryCommand.self,
            TokenCommand.self,
        ]
    )

    /// Makes the command (ArgumentParser requirement).
    init() {}
}

/// The executable's entry point: parses the command line and runs the command.
package enum Entrypoint {
    /// Runs `cibox` with the process's arguments and exits with the command's status.
    ///
    /// Three command lines skip ArgumentParser, which builds the whole command tree by reflecting over every
    /// subcommand (about 3 ms): `cibox --version`, `cibox agent files …` (the helper a job's checkout and file steps
    /// start, whose arguments ``AgentFilesCommand`` passes through untouched anyway), and `cibox pre-push …` as the
    /// hook calls it (see ``PrePushCommand/fastOptions(_:)``); anything else about them (help, a mistake) goes the
    /// usual way.
    package static func main() async {
        // cibox's files are its user's alone: databases, logs, artifacts, caches (see HomePermissions for the few
        // folders a job's user passes through).
        umask(0o077)
        PhaseMarks.mark("main")
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            Terminal.output("\(CIBox.version)\n")
            return
        }
        if arguments.count >= 2, arguments[0] == "agent", arguments[1] == "files" {
            // The built-in steps' file helper, started for each checkout and each file step: no person types it.
            exit(JobFileOperations.run(Array(arguments.dropFirst(2))))
        }
        if arguments.first == "pre-push", let options = PrePushCommand.fastOptions(Array(arguments.dropFirst())) {
            let environment = ["CIBOX_HOME", "HOME"].reduce(into: [String: String]()) { values, name in
                values[name] = getenv(name).map { String(cString: $0) }
            }
            let home = CIBoxHome.resolve(option: options.home, environment: environment)
            let outcome = await PrePushFlow.check(home: home, workflows: options.workflows, jobs: options.jobs)
            exit(outcome.rawValue)
        }
        await CIBox.main()
    }
}

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
            TokenCommand.self, DoctorCommand.self,
        ]
    )

    /// Makes the command (ArgumentParser requirement).
    init() {}
}

/// The executable's entry point: parses the command line and runs the command.
package enum Entrypoint {
    /// The command lines answered before Swift's concurrency starts, on the main thread: `cibox --version`, and
    /// `cibox agent files …` (the helper a job's checkout and file steps start, whose arguments ``AgentFilesCommand``
    /// passes through untouched anyway). An `async` entry point hops to a thread of the cooperative pool, which
    /// makes the pool's first thread (about 2 ms); these need none of it, nor ArgumentParser's reflection over the
    /// command tree (about 3 ms). Also sets the process's umask and marks its start, for every command line.
    /// - Returns: the exit status when it answered, nil for every other command line.
    package static func answerAtOnce() -> Int32? {
        // cibox's files are its user's alone: databases, logs, artifacts, caches (see HomePermissions for the few
        // folders a job's user passes through).
        umask(0o077)
        PhaseMarks.mark("main")
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            Terminal.output("\(CIBox.version)\n")
            return 0
        }
        if arguments.count >= 2, arguments[0] == "agent", arguments[1] == "files" {
            return JobFileOperations.run(Array(arguments.dropFirst(2)))
        }
        return nil
    }

    /// Runs `cibox` with the process's arguments and exits with the command's status, after ``answerAtOnce()``.
    ///
    /// `cibox pre-push …` as the hook calls it skips ArgumentParser too (see ``PrePushCommand/fastOptions(_:)``);
    /// anything else about it (help, a mistake) goes the usual way.
    package static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
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

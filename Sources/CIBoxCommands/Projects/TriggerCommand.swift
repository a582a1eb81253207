// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel
import CIBoxStore

/// `cibox trigger`: runs a project's pipeline now, for hooks and scripts.
struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Run the pipeline of a project's branch or revision now.",
        discussion: "With a daemon running on the home, the pipeline is handed to it and followed to its end here. "
            + ExitCodes.runStatuses
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The project's name (see `cibox project list`).")
    var project: String

    @Option(help: "The branch to run (default: HEAD).")
    var branch: String?

    @Option(help: "The revision to run: a branch, tag or sha.")
    var rev: String?

    @Flag(help: "Print only the pipeline as JSON on standard output.")
    var json = false

    func validate() throws {
        if branch != nil && rev != nil { throw ValidationError("--branch and --rev cannot be used together.") }
        if let branch, branch.isEmpty { throw ValidationError("--branch must not be empty.") }
    }

    func run() async throws {
        let home = global.homeDirectory
        let store = try HistoryAccess.open(global)
        let found: Project?
        do {
            found = try store.projects.project(named: project)
        } catch {
            throw HistoryAccess.notFound(error.message)
        }
        guard let found else {
            throw HistoryAccess.notFound(
                "No project named '\(project)'. `cibox project list` shows the projects; `cibox project add` adds one.")
        }
        let revision = branch.map { "refs/heads/" + $0 } ?? rev
        let options = RunOptions(path: found.path, revision: revision, trigger: .api)
        let outcome = await PipelineRunFlow.run(home: home, json: json, handsToDaemon: true) {
            (engine: PipelineEngine) throws(EngineError) -> PreparedPipeline in
            try engine.prepare(options)
        }
        if outcome != .success { throw outcome }
    }
}

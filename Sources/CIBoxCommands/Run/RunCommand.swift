// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxStore
import Foundation

/// `cibox run`: runs the pipeline of a commit (or of the work tree) here and now.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline of a commit on this machine.",
        discussion: ExitCodes.runStatuses
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A folder inside the git repository.")
    var path: String = "."

    @Option(help: "The revision to run: a branch, tag or sha (default: HEAD).")
    var rev: String?

    @Flag(help: "Run the files on disk, uncommitted changes included.")
    var workingTree = false

    @Option(help: "Run only this workflow (repeatable).")
    var workflow: [String] = []

    @Option(help: "Run only this job (repeatable); requirements on jobs left out are dropped.")
    var job: [String] = []

    @Option(
        name: .customLong("param"), help: ArgumentHelp("A pipeline parameter (repeatable).", valueName: "key=value"))
    var parameters: [String] = []

    @Flag(help: "Run even when registry orbs are missing; the jobs that use them fail with the reason.")
    var allowMissingOrbs = false

    @Flag(help: "Keep each job's folder under $CIBOX_HOME/work/ after it ends.")
    var keep = false

    @Flag(help: "Print only the pipeline as JSON on standard output.")
    var json = false

    func validate() throws {
        if rev != nil && workingTree { throw ValidationError("--rev and --working-tree cannot be used together.") }
        _ = try ParameterList.parse(parameters)
    }

    func run() async throws {
        PhaseMarks.mark("arguments")
        var options = RunOptions(
            path: path, revision: rev, workingTree: workingTree, workflows: workflow, jobs: job,
            parameters: try ParameterList.parse(parameters), trigger: .manual, keepsWorkDirectories: keep
        )
        options.allowMissingOrbs = allowMissingOrbs
        let home = global.homeDirectory
        let outcome = await PipelineRunFlow.run(options, home: home, json: json)
        if outcome != .success { throw outcome }
    }
}

/// `--param KEY=VALUE` parsing.
enum ParameterList {
    /// The parameters as a dictionary.
    /// - Throws: `ValidationError` quoting a malformed entry.
    static func parse(_ entries: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--param '\(entry)' is not KEY=VALUE.")
            }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }
}

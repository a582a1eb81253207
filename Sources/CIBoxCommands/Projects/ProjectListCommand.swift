// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxModel
import CIBoxPresentation
import CIBoxStore

/// `cibox project list`: every project with its path and the number of refs last seen.
struct ProjectListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List projects.",
        discussion: "Columns: name, path, number of branches and tags last seen."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        let projects: [Project]
        let counts: [Int64: Int]
        do {
            projects = try store.projects.projects()
            counts = try store.projects.refCounts()
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        if json {
            let objects = projects.map { PipelineJSON.project($0, refs: counts[$0.id] ?? 0) }
            Terminal.output(json: JSONValue.array(objects))
            return
        }
        if projects.isEmpty { Terminal.output("No projects. Add one with `cibox project add PATH`.\n") }
        for project in projects {
            Terminal.output("\(project.name)\t\(project.path)\t\(counts[project.id] ?? 0) ref(s)\n")
        }
    }
}

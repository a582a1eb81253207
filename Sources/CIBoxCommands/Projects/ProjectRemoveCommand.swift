// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxModel
import CIBoxStore

/// `cibox project remove`: forgets a project, its pipelines and its last-seen refs.
struct ProjectRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a project with its pipeline history (the repository itself is not touched)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The project's name (see `cibox project list`).")
    var name: String

    func run() throws {
        let store = try HistoryAccess.open(global)
        do {
            let project = try store.projects.removeProject(named: name)
            Terminal.output("cibox: removed project '\(project.name)' (\(project.path))\n")
        } catch {
            throw HistoryAccess.notFound(error.message)
        }
    }
}

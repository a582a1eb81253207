// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxModel

/// `cibox project add`: records a repository as a project, with its current refs as last seen.
struct ProjectAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a git repository (bare or with a work tree) as a project.",
        discussion: """
            The repository's current branches and tags are stored as already seen: adding a project builds \
            nothing; later pushes do. Repositories owned by another user are not opened (run cibox as their \
            owner, or trust the exact path with `git config --global --add safe.directory PATH`).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The repository: a bare repository, a work tree, or a folder inside one.")
    var path: String

    @Option(help: "The project's name (default: the repository's folder name, without .git).")
    var name: String?

    func validate() throws {
        if let name, name.isEmpty || name.contains("/") {
            throw ValidationError("--name must be non-empty and without '/'.")
        }
    }

    func run() throws {
        let store = try HistoryAccess.open(global)
        do {
            switch try ProjectRegistration.add(path: path, name: name, store: store) {
            case .existing(let project):
                Terminal.output("cibox: '\(project.path)' is already project '\(project.name)'\n")
            case .added(let project, let refs):
                Terminal.output("cibox: added project '\(project.name)' (\(project.path)), \(refs) ref(s) seen\n")
            }
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.of(error)
        }
    }
}

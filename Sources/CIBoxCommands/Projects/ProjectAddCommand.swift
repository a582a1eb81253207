// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxGit
import CIBoxModel
import CIBoxStore

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
        let location: String
        let refs: [String: String]
        let defaultName: String
        do {
            let repository = try GitRepository.open(discoveringFrom: path)
            location = repository.workingDirectory ?? repository.gitDirectory
            refs = try repository.references()
            defaultName = repository.name
        } catch {
            Terminal.fail(error.message)
            throw ExitCodes.cannotRun
        }
        let store = try HistoryAccess.open(global)
        do {
            let existing = try store.projects.projects().first { $0.path == location }
            if let wanted = name, existing == nil, try store.projects.project(named: wanted) != nil {
                throw StoreError(.conflict, "A project named '\(wanted)' exists already. Choose another --name.")
            }
            if let existing {
                Terminal.output("cibox: '\(location)' is already project '\(existing.name)'\n")
                return
            }
            let project = try store.projects.project(path: location, name: name ?? defaultName)
            try store.projects.saveRefs(projectID: project.id, refs: refs)
            Terminal.output("cibox: added project '\(project.name)' (\(location)), \(refs.count) ref(s) seen\n")
        } catch {
            Terminal.fail(String(describing: error))
            throw (error as? StoreError).map(ExitCodes.of) ?? ExitCodes.cannotRun
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
package import CIBoxModel
package import CIBoxStore

/// Adding a repository as a project, as `cibox project add` and the API's `POST /api/v1/projects` do it: its current
/// branches and tags are recorded as seen, so adding builds nothing; later pushes do.
package enum ProjectRegistration {
    /// What adding found.
    package enum Outcome: Sendable {
        /// The project was added, with this many refs seen.
        case added(Project, refs: Int)
        /// The repository already is this project.
        case existing(Project)
    }

    /// Adds the repository at (or around) `path` to `store` as `name` (default: the repository's folder name).
    /// - Throws: ``EngineError`` `noRepository` when `path` is not in a repository cibox can open; `usage` when
    ///   another project has the name; `store` when the store fails.
    package static func add(path: String, name: String?, store: PipelineStore) throws(EngineError) -> Outcome {
        let location: String
        let refs: [String: String]
        let defaultName: String
        do {
            let repository = try GitRepository.open(discoveringFrom: path)
            location = repository.workingDirectory ?? repository.gitDirectory
            refs = try repository.references()
            defaultName = repository.name
        } catch {
            throw EngineError(.noRepository, error.message, cause: error)
        }
        do {
            if let existing = try store.projects.projects().first(where: { $0.path == location }) {
                return .existing(existing)
            }
            if let wanted = name, try store.projects.project(named: wanted) != nil {
                throw EngineError(.usage, "A project named '\(wanted)' exists already. Choose another name.")
            }
            let project = try store.projects.project(path: location, name: name ?? defaultName) { refs }
            return .added(project, refs: refs.count)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.store, String(describing: error), cause: error)
        }
    }
}

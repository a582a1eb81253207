// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxGit
import Foundation

/// Registry orbs from local folders, for air-gapped use: the project's `.circleci/orbs/` (at the pipeline's
/// commit, or on disk for the work tree) wins over the store `$CIBOX_HOME/orbs/`; both hold
/// `<namespace>/<name>@<version>.yml`.
struct LocalOrbSource: OrbSource {
    /// `$CIBOX_HOME/orbs`.
    let storeFolder: String
    /// Where the project's orbs are read from.
    let project: ProjectFiles

    /// How to read files of the project.
    enum ProjectFiles: Sendable {
        /// From a commit of the repository at `repositoryPath`.
        case commit(repositoryPath: String, sha: String)
        /// From a folder on disk (the work tree, or the folder of a config file being validated).
        case folder(String)
        /// No project orbs.
        case none
    }

    /// The path of `reference` relative to an orbs folder.
    static func relativePath(_ reference: OrbReference) -> String {
        "\(reference.namespace)/\(reference.name)@\(reference.version).yml"
    }

    func lookup(_ reference: OrbReference) -> OrbLookup {
        let relative = Self.relativePath(reference)
        let projectPath = ".circleci/orbs/" + relative
        if let text = projectFile(projectPath) {
            return .found(text: text, path: projectPath)
        }
        let storePath = storeFolder + "/" + relative
        if let data = FileManager.default.contents(atPath: storePath),
            let text = String(validating: data, as: UTF8.self)
        {
            return .found(text: text, path: storePath)
        }
        return .missing(
            message: "orb '\(reference.text)' is not available offline: place its YAML at '\(storePath)' "
                + "(or commit it as '\(projectPath)' in the repository)"
        )
    }

    private func projectFile(_ path: String) -> String? {
        switch project {
        case .none:
            return nil
        case .folder(let root):
            return FileManager.default.contents(atPath: root + "/" + path).flatMap {
                String(validating: $0, as: UTF8.self)
            }
        case .commit(let repositoryPath, let sha):
            guard let repository = try? GitRepository.open(discoveringFrom: repositoryPath),
                let commit = try? repository.resolve(sha).commit,
                let data = try? repository.readFile(path, at: commit)
            else { return nil }
            return String(validating: data, as: UTF8.self)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxConfig
import CIBoxGit
import Foundation

/// Registry orbs from local folders, for air-gapped use: the project's `.circleci/orbs/` (at the pipeline's
/// commit, or on disk for the work tree) wins over the store `$CIBOX_HOME/orbs/`; both hold
/// `<namespace>/<name>@<version>.yml`. Versions resolve as CircleCI's registry resolves them
/// (``OrbVersionResolver``): `1.2.3` exact, `1.2` and `1` the highest matching version, `volatile` the highest.
package struct LocalOrbSource: OrbSource {
    /// `$CIBOX_HOME/orbs`.
    package let storeFolder: String
    /// Where the project's orbs are read from.
    package let project: ProjectFiles

    /// A source of the store in `storeFolder` and the project's orbs in `project`.
    package init(storeFolder: String, project: ProjectFiles) {
        self.storeFolder = storeFolder
        self.project = project
    }

    /// How to read files of the project.
    package enum ProjectFiles: Sendable {
        /// From a commit of the repository at `repositoryPath`.
        case commit(repositoryPath: String, sha: String)
        /// From a folder on disk (the work tree, or the folder of a config file being validated).
        case folder(String)
        /// No project orbs.
        case none
    }

    /// The project's orbs folder.
    static let projectFolder = ".circleci/orbs"

    /// The project's orb that `reference` resolves to, else the store's, else why neither has one.
    package func lookup(_ reference: OrbReference) -> OrbLookup {
        let namespaceFolder = "\(Self.projectFolder)/\(reference.namespace)"
        let projectVersions = OrbStore.versions(of: reference.name, among: projectFileNames(namespaceFolder))
        if let version = OrbVersionResolver.resolve(reference.version, among: projectVersions) {
            let path = "\(namespaceFolder)/\(OrbStore.fileName(reference.name, version: version))"
            if let text = projectFile(path) { return .found(text: text, path: path) }
        }
        let store = OrbStore(folder: storeFolder)
        if let (exact, text) = store.resolve(reference) {
            return .found(text: text, path: store.path(for: exact))
        }
        return .missing(message: missingMessage(reference, store: store))
    }

    /// Says what the store has of the orb and how to add the missing version.
    func missingMessage(_ reference: OrbReference, store: OrbStore) -> String {
        let orb = "\(reference.namespace)/\(reference.name)"
        let versions = store.versions(namespace: reference.namespace, name: reference.name)
        let wanted: String
        switch OrbVersionRequest(reference.version) {
        case .exact, .named: wanted = reference.version
        case .minor(let major, let minor): wanted = "\(major).\(minor).PATCH"
        case .major(let major): wanted = "\(major).MINOR.PATCH"
        case .volatile: wanted = "MAJOR.MINOR.PATCH"
        }
        let has =
            versions.isEmpty
            ? "the orb store '\(storeFolder)' has no version of \(orb)"
            : "the orb store '\(storeFolder)' has \(orb) \(versions.joined(separator: ", ")), none matching "
                + "'\(reference.version)'"
        return "orb '\(reference.text)' is not available offline: \(has); add it with "
            + "`cibox orb add FILE --name \(orb)@\(wanted)` (FILE packed by `cibox orb pack` from the orb's source), "
            + "or commit it as '\(Self.projectFolder)/\(reference.namespace)/\(reference.name)@\(wanted).yml'"
    }

    /// The names of the files in the project's folder `path`.
    private func projectFileNames(_ path: String) -> [String] {
        switch project {
        case .none:
            return []
        case .folder(let root):
            return (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + path)) ?? []
        case .commit(let repositoryPath, let sha):
            guard let repository = try? GitRepository.open(discoveringFrom: repositoryPath),
                let commit = try? repository.resolve(sha).commit
            else { return [] }
            return (try? repository.fileNames(inFolder: path, at: commit)) ?? []
        }
    }

    /// The text of the project's file `path`, if it is there as UTF-8.
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

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// A project's engine storage kept between runs (`docker_layer_caching`), held by one job at a time: Podman's state
/// database in it is not shared by two services, so a second job of the project meanwhile starts with an empty
/// storage of its own (as CircleCI gives a cache only to one job at a time).
final class EngineCache: Sendable {
    /// `<storage>/engines/<project id>`.
    let folder: String
    private let holder: FileLock.Holder

    private init(folder: String, holder: FileLock.Holder) {
        self.folder = folder
        self.holder = holder
    }

    /// The project's storage, unless another job holds it.
    static func take(folder: String, project: Int64) -> EngineCache? {
        let path = folder + "/\(project)"
        guard (try? Folders.make(path, mode: 0o700)) != nil,
            let holder = try? FileLock.hold(path: folder + "/\(project).lock")
        else { return nil }
        return EngineCache(folder: path, holder: holder)
    }

    /// Lets the next job have it.
    func release() {
        withExtendedLifetime(holder) {}
    }
}

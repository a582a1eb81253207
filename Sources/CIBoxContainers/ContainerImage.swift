// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
package import CIBoxImages
package import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The image of one container of a job, ready to run: its `docker:` entry as written, the stored image it names
/// (aliases applied) and its unpacked root.
package struct ContainerImage: Sendable {
    /// The `docker:` entry.
    package var entry: DockerImage
    /// The stored image and its root.
    package var prepared: PreparedImage

    /// Makes one.
    package init(entry: DockerImage, prepared: PreparedImage) {
        self.entry = entry
        self.prepared = prepared
    }

    /// The image's normalised reference (as stored).
    package var reference: String { prepared.image.record.reference }
    /// Its manifest digest.
    package var digest: String { prepared.image.record.digest }
    /// The image's `config` (how a container of it runs), empty when it has none.
    var configuration: ContainerConfiguration { prepared.image.configuration.config ?? ContainerConfiguration() }

    /// The image's `Env` as a dictionary (a later entry wins).
    var environment: [String: String] {
        var result: [String: String] = [:]
        for entry in configuration.env ?? [] {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        return result
    }

    /// CircleCI's default shell in this image: bash when the image has it, else `/bin/sh`.
    var defaultShell: String {
        ["/bin/bash", "/usr/bin/bash"].contains { exists($0) } ? "/bin/bash -eo pipefail" : "/bin/sh -eo pipefail"
    }

    /// The name other containers of the job reach it by: `name:`, else the image's short name (`postgres` for
    /// `cimg/postgres:16.1`).
    /// Only letters, digits, `-`, `_` and `.` are kept (anything else becomes `-`), so a name can neither add lines
    /// to `/etc/hosts` nor lead its log file out of the job's log folder.
    var hostName: String {
        var name = entry.name ?? ""
        if name.isEmpty {
            name = Paths.lastComponent(entry.image)
            if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
            if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        }
        let kept = String(
            name.prefix(63).map {
                $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-"
            })
        return kept.first == "." || kept.isEmpty ? "service-" + kept : kept
    }

    /// Whether `path` (in the container) names something in the image's root (a link counts; never followed).
    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(prepared.root + path, &info) == 0
    }

    /// The users of the image.
    var users: ImageUsers { ImageUsers(root: prepared.root) }
}

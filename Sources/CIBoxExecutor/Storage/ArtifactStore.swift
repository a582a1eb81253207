// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One stored artifact file.
package struct ArtifactFile: Sendable, Equatable {
    /// Its path under the job run's artifact folder (`reports/index.html`).
    package var path: String
    /// Its size in bytes.
    package var size: Int64

    /// Makes an artifact file.
    package init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
}

/// The artifacts of job runs: copies under `$CIBOX_HOME/artifacts/<jobID>/`.
///
/// Nothing is ever written outside a job run's folder: a destination with `..` is refused before anything is
/// copied, and symbolic links are followed only when they lead inside the job's own folder (others are
/// refused, one log line each). The artifact folder holds plain files and folders only.
package struct ArtifactStore: Sendable {
    /// `$CIBOX_HOME/artifacts`.
    package var root: String

    /// The artifact store of the state folder `home`.
    package init(home: String) {
        root = home + "/artifacts"
    }

    /// The artifact folder of job run `jobID`.
    package func folder(jobID: Int64) -> String { "\(root)/\(jobID)" }

    /// The files stored for job run `jobID`, sorted by path.
    package func list(jobID: Int64) -> [ArtifactFile] {
        let folder = folder(jobID: jobID)
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [ArtifactFile] = []
        while let relative = enumerator.nextObject() as? String {
            guard let info = StoreFiles.status(folder + "/" + relative), info.st_mode & S_IFMT == S_IFREG else {
                continue
            }
            files.append(ArtifactFile(path: relative, size: Int64(info.st_size)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The real path of the stored file `path` (relative, as ``list(jobID:)`` gives it) of job run `jobID`, or nil
    /// when there is no such regular file or `path` could leave the job's folder: an absolute path, a `..` part, or
    /// a symbolic link that resolves outside it.
    package func file(jobID: Int64, path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }),
            !path.contains("\0"), let folder = Self.realPath(folder(jobID: jobID)),
            let resolved = Self.realPath(folder + "/" + path), Paths.isInside(resolved, root: folder),
            let info = StoreFiles.status(resolved), info.st_mode & S_IFMT == S_IFREG
        else { return nil }
        return resolved
    }

    /// The folder under the job's artifact folder that `destination` names, or nil when it would leave it.
    package func target(jobID: Int64, destination: String) -> String? {
        let parts = destination.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else { return nil }
        let folder = folder(jobID: jobID)
        return parts.isEmpty ? folder : folder + "/" + parts.joined(separator: "/")
    }

    /// Copies the file or folder `source` to `target` (from `target(jobID:destination:)`).
    /// - Parameters:
    ///   - source: an absolute path.
    ///   - target: where it goes.
    ///   - allowedRoot: symbolic links are followed only to paths inside this folder (the job's).
    ///   - log: told about each refused or skipped entry.
    /// - Returns: the number of files copied.
    /// - Throws: `StorageError` when a file cannot be copied.
    package static func copy(
        _ source: String, to target: String, allowedRoot: String, log: (String) -> Void
    ) throws(StorageError) -> Int {
        let allowed = realPath(allowedRoot) ?? Paths.normalize(allowedRoot)
        return try copyEntry(source, to: target, allowed: allowed, depth: 0, log: log)
    }

    private static func copyEntry(
        _ source: String, to target: String, allowed: String, depth: Int, log: (String) -> Void
    ) throws(StorageError) -> Int {
        guard var info = StoreFiles.status(source) else { return 0 }
        var path = source
        if StoreFiles.isLink(info) {
            guard let resolved = realPath(source), Paths.isInside(resolved, root: allowed),
                let followed = StoreFiles.status(resolved), depth < 32
            else {
                let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: source)) ?? "?"
                log(
                    "Refused '\(source)': a symbolic link to '\(destination)', which is outside the job's folder "
                        + "'\(allowed)' (or missing). Artifacts are copied only from inside the job's folder.")
                return 0
            }
            (path, info) = (resolved, followed)
        }
        if StoreFiles.isFolder(info) {
            try StoreFiles.makeFolder(target)
            var count = 0
            for child in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                count += try copyEntry(
                    path + "/" + child, to: target + "/" + child, allowed: allowed, depth: depth + 1, log: log)
            }
            return count
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            log("Skipped '\(source)': not a regular file or folder.")
            return 0
        }
        try StoreFiles.makeFolder((target as NSString).deletingLastPathComponent)
        unlink(target)
        do {
            try FileManager.default.copyItem(atPath: path, toPath: target)
        } catch {
            throw StorageError(.io, "Cannot copy '\(path)' to '\(target)': \(error.localizedDescription).")
        }
        return 1
    }

    /// The real path of `path` (links resolved), or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

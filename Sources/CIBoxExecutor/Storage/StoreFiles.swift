// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// File operations shared by the cache, workspace and artifact stores.
enum StoreFiles {
    /// Creates `folder` and its parents.
    static func makeFolder(_ folder: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StorageError(
                .io, "Cannot create '\(folder)': \(error.localizedDescription). Check the state folder's permissions.")
        }
    }

    /// Writes `data` to a temporary file beside `path`, then renames it over `path`.
    static func writeAtomically(_ data: Data, to path: String) throws(StorageError) {
        let temporary = path + ".tmp-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, path) == 0 else {
            unlink(temporary)
            throw StorageError(.io, "Cannot write '\(path)': \(String(cString: strerror(errno))).")
        }
    }

    /// `lstat` of `path`, or nil when it does not exist.
    static func status(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// Whether `info` describes a folder.
    static func isFolder(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    /// Whether `info` describes a symbolic link.
    static func isLink(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFLNK }
}

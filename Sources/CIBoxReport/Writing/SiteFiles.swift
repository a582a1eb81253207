// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The report's file operations: atomic page writes, and links (or copies) of logs and artifacts.
struct SiteFiles: Sendable {
    /// The report's root folder.
    let root: String
    /// Whether every user may read the report (pages 0644, folders 0755), else only cibox's user (0600, 0700).
    let worldReadable: Bool

    private var fileMode: Int { worldReadable ? 0o644 : 0o600 }
    private var folderMode: Int { worldReadable ? 0o755 : 0o700 }

    /// Makes `folder` (and missing parents under the root) with the report's mode.
    private func makeFolder(_ folder: String) throws {
        try Folders.make(folder, mode: folderMode)
        var current = folder
        while current.count > root.count, current.hasPrefix(root) {
            chmod(current, mode_t(folderMode))
            current = Paths.parent(current)
        }
        chmod(root, mode_t(folderMode))
    }

    /// Writes `text` to `relative` atomically: a temporary file in the same folder, then `rename(2)`, so that a
    /// reader (a browser, a web server, another cibox) never sees half a page. A page that already reads so is
    /// left alone.
    /// - Throws: ``ReportError`` `write` naming the file.
    func write(_ text: String, to relative: String) throws(ReportError) {
        let path = root + "/" + relative
        if FileWriter.hasContent(text, at: path, mode: fileMode) { return }
        let temporary = path + ".\(getpid()).tmp"
        do {
            do {
                try FileWriter.write(text, to: temporary, mode: fileMode)
            } catch {
                // Most pages go into folders that exist: make the folder only when it is missing.
                let folder = Paths.parent(path)
                guard access(folder, F_OK) != 0 else { throw error }
                try makeFolder(folder)
                try FileWriter.write(text, to: temporary, mode: fileMode)
            }
        } catch {
            unlink(temporary)
            throw ReportError(
                .write,
                "Cannot write the report page '\(path)': \(error.localizedDescription). Check the folder's permissions and free space, or pass --out."
            )
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ReportError(.write, "Cannot move the report page into place at '\(path)': \(reason).")
        }
    }

    /// Makes `relative` the same file as `source` (a hard link, else a copy), unless it already is one with the
    /// same size; the report then stays whole when its folder is copied elsewhere.
    /// - Returns: whether `relative` now exists.
    @discardableResult
    func mirror(_ source: String, to relative: String) -> Bool {
        let path = root + "/" + relative
        var sourceInfo = stat()
        var targetInfo = stat()
        guard stat(source, &sourceInfo) == 0 else { return false }
        if stat(path, &targetInfo) == 0 {
            let isSameFile = sourceInfo.st_ino == targetInfo.st_ino && sourceInfo.st_dev == targetInfo.st_dev
            if isSameFile || sourceInfo.st_size == targetInfo.st_size { return true }
            unlink(path)
        }
        do {
            try makeFolder(Paths.parent(path))
        } catch {
            return false
        }
        // A link shares the log's permissions: a served report makes the log it shows readable, as the page is.
        if link(source, path) == 0 || (try? FileManager.default.copyItem(atPath: source, toPath: path)) != nil {
            chmod(path, mode_t(fileMode))
            return true
        }
        return false
    }

    /// Removes `relative` and everything under it.
    func remove(_ relative: String) {
        try? FileManager.default.removeItem(atPath: root + "/" + relative)
    }

    /// The names in folder `relative` (empty when it does not exist).
    func names(in relative: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []
    }

    /// Whether `relative` exists.
    func exists(_ relative: String) -> Bool {
        access(root + "/" + relative, F_OK) == 0
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes small working files (step scripts, agent commands, alternates) with plain system calls.
///
/// Why: Foundation's `Data.write(to:)` fsyncs every file, which costs about a millisecond each on this kind
/// of disk and buys nothing for files that live only as long as a job. History that must survive a crash
/// goes through the store, not through this.
package enum FileWriter {
    /// Creates or replaces the file at `path` with `text`, with permission bits `mode`.
    /// - Throws: `CocoaError` with the path and the system's reason.
    package static func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        if fchmod(fd, mode_t(mode)) != 0 { throw failure(path) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Replaces the file at `path` with `text` all at once: readers see the old file or the new one, never part
    /// of it (written to a temporary file beside it, then renamed over it). A file that already holds `text`
    /// with `mode` is left alone (see ``hasContent(_:at:mode:)``).
    /// - Throws: `CocoaError` with the path and the system's reason; the temporary file is removed.
    package static func replace(_ text: String, at path: String, mode: Int = 0o644) throws {
        if hasContent(text, at: path, mode: mode) { return }
        let temporary = path + ".tmp-\(getpid())"
        do {
            try write(text, to: temporary, mode: mode)
            if rename(temporary, path) != 0 { throw failure(path) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Whether the regular file at `path` holds exactly `text` (and, when given, has permission bits `mode`):
    /// a writer can then leave it alone. Reading a small file costs far less than replacing it, which on ext4
    /// frees (and may discard) the old file's blocks.
    package static func hasContent(_ text: String, at path: String, mode: Int? = nil) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        let expected = text.utf8.count
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == expected,
            mode.map({ Int(info.st_mode) & 0o7777 == $0 }) ?? true
        else { return false }
        return FileReader.readAll(fd).map { $0.elementsEqual(text.utf8) } ?? false
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError.lastSystemError(path: path)
    }
}

/// Reads files with plain system calls.
///
/// Why: `FileManager.contents(atPath:)` goes through Foundation's file APIs, and `/proc` and cgroup files say
/// their size is 0; these reads are on the pre-push hook's and every engine start's path.
package enum FileReader {
    /// The whole file at `path`, or nil when it cannot be opened or read (`errno` says why).
    package static func contents(atPath path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd)
    }

    /// Everything left to read from `fd`, or nil when a read fails (`errno` says why).
    package static func readAll(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }
}

/// Makes folders with plain system calls.
///
/// Why: `FileManager.createDirectory(withIntermediateDirectories:)` checks every component of the path
/// first; a job makes several folders, and that checking was a measurable part of starting one.
package enum Folders {
    /// Makes `path` and any missing parents (like `mkdir -p`); succeeds when it exists.
    ///
    /// Without `mode` a folder gets the process's default (0700 under cibox's umask 077); with one, the folders it
    /// makes get exactly that mode, whatever the umask (a folder a job's user must pass through or read).
    /// - Throws: `CocoaError` with the path and the system's reason.
    package static func make(_ path: String, mode: Int? = nil) throws {
        if try makeOne(path, mode: mode) { return }
        guard errno == ENOENT else { throw failure(path) }
        let parent = Paths.parent(path)
        guard parent != ".", parent != path else { throw failure(path) }
        try make(parent, mode: mode)
        if try !makeOne(path, mode: mode) { throw failure(path) }
    }

    /// `mkdir` of one folder with its exact mode when given: true when it exists afterwards.
    private static func makeOne(_ path: String, mode: Int?) throws -> Bool {
        guard mkdir(path, mode_t(mode ?? 0o777)) == 0 else { return errno == EEXIST }
        if let mode, chmod(path, mode_t(mode)) != 0 { throw failure(path) }
        return true
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError.lastSystemError(path: path)
    }
}

/// Removes folder trees with plain system calls.
///
/// Why: `FileManager.removeItem` stats and checks every entry through Foundation's file APIs; a job's folder
/// (checkout included) is removed at the end of every job, and that was about a millisecond of each.
package enum FolderTree {
    /// Removes `path` and everything under it, without following symbolic links; nothing when it does not
    /// exist. Falls back to `FileManager` for whatever the plain walk could not remove.
    package static func remove(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let emptied = fd >= 0 && removeContents(of: fd)
        if emptied, rmdir(path) == 0 { return }
        if fd < 0, errno == ENOENT { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes everything in the open folder `fd` (closed here); whether all of it went.
    private static func removeContents(of fd: Int32) -> Bool {
        guard let folder = fdopendir(fd) else {
            close(fd)
            return false
        }
        defer { closedir(folder) }
        let parent = dirfd(folder)
        var removedAll = true
        while let entry = readdir(folder) {
            // The name's own bytes (not a String): a name that is not UTF-8 must still be found.
            let removed = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Bool in
                guard let name = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return false }
                if strcmp(name, ".") == 0 || strcmp(name, "..") == 0 { return true }
                var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
                if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                    var info = stat()
                    isFolder =
                        fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
                }
                guard isFolder else { return unlinkat(parent, name, 0) == 0 }
                let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                let emptied = child >= 0 && removeContents(of: child)
                return unlinkat(parent, name, AT_REMOVEDIR) == 0 && emptied
            }
            if !removed { removedAll = false }
        }
        return removedAll
    }
}

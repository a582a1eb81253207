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
    /// of it (written to a temporary file beside it, then renamed over it).
    /// - Throws: `CocoaError` with the path and the system's reason; the temporary file is removed.
    package static func replace(_ text: String, at path: String, mode: Int = 0o644) throws {
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
        var buffer = [UInt8](repeating: 0, count: expected + 1)
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return -1 }
                return read(fd, base + filled, bytes.count - filled)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            filled += count
        }
        return filled == expected && buffer.prefix(expected).elementsEqual(text.utf8)
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError(
            .fileWriteUnknown,
            userInfo: [
                NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(errno)))",
            ]
        )
    }
}

/// Makes folders with plain system calls.
///
/// Why: `FileManager.createDirectory(withIntermediateDirectories:)` checks every component of the path
/// first; a job makes several folders, and that checking was a measurable part of starting one.
package enum Folders {
    /// Makes `path` and any missing parents (like `mkdir -p`); succeeds when it exists.
    /// - Throws: `CocoaError` with the path and the system's reason.
    package static func make(_ path: String, mode: Int = 0o755) throws {
        if mkdir(path, mode_t(mode)) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw failure(path) }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty, parent != path else { throw failure(path) }
        try make(parent, mode: mode)
        if mkdir(path, mode_t(mode)) != 0 && errno != EEXIST { throw failure(path) }
    }

    private static func failure(_ path: String) -> CocoaError {
        CocoaError(
            .fileWriteUnknown,
            userInfo: [
                NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "\(path): \(String(cString: strerror(errno)))",
            ]
        )
    }
}

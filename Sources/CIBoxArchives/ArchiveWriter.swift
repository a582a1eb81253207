// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibarchive
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a tar archive (pax) compressed with zstd, from folders on disk or from entries given in memory.
///
/// Modes, modification times and symbolic links (as links, never followed) are kept. The writer owns its
/// libarchive handles and frees them in `deinit`; it serves one task at a time.
package final class ArchiveWriter {
    private let archive: OpaquePointer
    private let disk: OpaquePointer
    private let path: String
    /// Whether the archive goes to the file at `path` (else to a descriptor).
    private var writesFile = true
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    /// Opens `path` for writing (created or truncated).
    /// - Parameters:
    ///   - path: the archive file.
    ///   - level: the zstd level (1 is fastest; caches and workspaces use 1).
    /// - Throws: `ArchiveError` when libarchive cannot open the file.
    package convenience init(path: String, level: Int = 1) throws(ArchiveError) {
        try self.init(label: path, compressed: true, level: level, keepsSparseFiles: false) { archive in
            archive_write_open_filename(archive, path)
        }
    }

    /// Writes the archive to the descriptor `fd` (a pipe to another process; the caller closes it afterwards).
    /// - Parameters:
    ///   - label: how messages name the archive.
    ///   - compressed: zstd (level 1) or a plain tar.
    ///   - keepsSparseFiles: store the holes of sparse files as holes.
    /// - Throws: `ArchiveError` when libarchive cannot start the archive.
    package convenience init(descriptor fd: Int32, label: String, compressed: Bool, keepsSparseFiles: Bool = false)
        throws(ArchiveError)
    {
        try self.init(label: label, compressed: compressed, level: 1, keepsSparseFiles: keepsSparseFiles) { archive in
            archive_write_open_fd(archive, fd)
        }
        writesFile = false
    }

    private init(
        label: String, compressed: Bool, level: Int, keepsSparseFiles: Bool, open: (OpaquePointer) -> Int32
    ) throws(ArchiveError) {
        guard let archive = archive_write_new(), let disk = archive_read_disk_new() else {
            throw ArchiveError(.archive, "Cannot create an archive for '\(label)': out of memory.")
        }
        self.archive = archive
        self.disk = disk
        self.path = label
        archive_write_set_format_pax_restricted(archive)
        if compressed {
            archive_write_add_filter_zstd(archive)
            archive_write_set_filter_option(archive, "zstd", "compression-level", String(level))
            // Multi-threaded zstd when libzstd was built with it; a failure only means one thread.
            archive_write_set_filter_option(
                archive, "zstd", "threads", String(ProcessInfo.processInfo.activeProcessorCount))
        }
        archive_write_set_bytes_in_last_block(archive, 1)
        archive_read_disk_set_symlink_physical(disk)
        archive_read_disk_set_behavior(
            disk,
            ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS
                | (keepsSparseFiles ? 0 : ARCHIVE_READDISK_NO_SPARSE))
        try check(open(archive), archive, "open")
    }

    deinit {
        archive_write_free(archive)
        archive_read_free(disk)
    }

    /// Adds the file, link or folder (recursively) at `source` under the name `name` in the archive.
    /// - Parameters:
    ///   - source: an absolute path on disk.
    ///   - name: its relative name in the archive (`a/b`); entries below a folder keep their relative paths.
    /// - Throws: `ArchiveError` when a file cannot be read or written.
    package func add(tree source: String, as name: String) throws(ArchiveError) {
        try check(archive_read_disk_open(disk, source), disk, "read '\(source)'")
        defer { archive_read_close(disk) }
        guard let entry = archive_entry_new() else {
            throw ArchiveError(.archive, "Cannot archive '\(source)': out of memory.")
        }
        defer { archive_entry_free(entry) }
        while true {
            archive_entry_clear(entry)
            let status = archive_read_next_header2(disk, entry)
            if status == ARCHIVE_EOF { return }
            if status == ARCHIVE_WARN { continue }
            try check(status, disk, "read '\(source)'")
            archive_read_disk_descend(disk)
            let walked = archive_entry_pathname(entry).map { String(cString: $0) } ?? source
            archive_entry_copy_pathname(entry, name + walked.dropFirst(source.count))
            try check(archive_write_header(archive, entry), archive, "write '\(walked)'")
            if archive_entry_filetype(entry) == S_IFREG, archive_entry_size(entry) > 0 {
                try copyData(of: walked)
            }
        }
    }

    /// Adds the one entry at `source` (a file, a link as a link, or a folder without what it holds) as `name`.
    /// - Throws: `ArchiveError` when it cannot be read or written.
    package func add(entryAt source: String, as name: String) throws(ArchiveError) {
        try check(archive_read_disk_open(disk, source), disk, "read '\(source)'")
        defer { archive_read_close(disk) }
        guard let entry = archive_entry_new() else {
            throw ArchiveError(.archive, "Cannot archive '\(source)': out of memory.")
        }
        defer { archive_entry_free(entry) }
        let status = archive_read_next_header2(disk, entry)
        if status == ARCHIVE_EOF { return }
        try check(status, disk, "read '\(source)'")
        archive_entry_copy_pathname(entry, name)
        try check(archive_write_header(archive, entry), archive, "write '\(source)'")
        if archive_entry_filetype(entry) == S_IFREG, archive_entry_size(entry) > 0 { try copyData(of: source) }
    }

    private func copyData(of walked: String) throws(ArchiveError) {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive_read_data_block(disk, &block, &size, &offset)
            if status == ARCHIVE_EOF { return }
            try check(status, disk, "read '\(walked)'")
            if let block, size > 0, archive_write_data(archive, block, size) < 0 {
                try check(ARCHIVE_FATAL, archive, "write '\(walked)'")
            }
        }
    }

    /// Adds a regular file with `contents` (for tests and small generated files).
    /// - Throws: `ArchiveError` when the entry cannot be written.
    package func addFile(named name: String, contents: [UInt8], mode: Int32 = 0o644) throws(ArchiveError) {
        try addEntry(named: name, type: S_IFREG, mode: mode, size: contents.count) { _ in }
        if !contents.isEmpty, contents.withUnsafeBytes({ archive_write_data(archive, $0.baseAddress, $0.count) }) < 0 {
            try check(ARCHIVE_FATAL, archive, "write '\(name)'")
        }
    }

    /// Adds a symbolic link `name` pointing at `target`, as written.
    /// - Throws: `ArchiveError` when the entry cannot be written.
    package func addSymlink(named name: String, target: String) throws(ArchiveError) {
        try addEntry(named: name, type: S_IFLNK, mode: 0o777, size: 0) { entry in
            archive_entry_copy_symlink(entry, target)
        }
    }

    private func addEntry(
        named name: String, type: mode_t, mode: Int32, size: Int, configure: (OpaquePointer) -> Void
    ) throws(ArchiveError) {
        guard let entry = archive_entry_new() else {
            throw ArchiveError(.archive, "Cannot write '\(name)' into '\(path)': out of memory.")
        }
        defer { archive_entry_free(entry) }
        archive_entry_copy_pathname(entry, name)
        archive_entry_set_filetype(entry, UInt32(type))
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_size(entry, Int64(size))
        archive_entry_set_mtime(entry, time(nil), 0)
        configure(entry)
        try check(archive_write_header(archive, entry), archive, "write '\(name)'")
    }

    /// Finishes the archive (flushes the compressor) and returns its size in bytes (0 when written to a descriptor).
    /// - Throws: `ArchiveError` when the file cannot be completed.
    @discardableResult
    package func finish() throws(ArchiveError) -> Int64 {
        try check(archive_write_close(archive), archive, "finish")
        var info = stat()
        return writesFile && stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    private func check(_ status: Int32, _ handle: OpaquePointer, _ what: String) throws(ArchiveError) {
        guard status < ARCHIVE_WARN else { return }
        throw ArchiveError(.archive, Archives.message(handle, "Cannot \(what) for the archive '\(path)'"))
    }
}

/// Helpers shared by the archive reader and writer.
enum Archives {
    /// `prefix`, then libarchive's last error on `handle` (read at once: it belongs to that handle).
    static func message(_ handle: OpaquePointer, _ prefix: String) -> String {
        var detail = archive_error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        // libarchive's text often leaves out the system's reason ("Can't open `PATH'"): add it.
        let code = archive_errno(handle)
        if code > 0, let reason = strerror(code).map({ String(cString: $0) }),
            !detail.contains(reason)
        {
            detail += ": " + reason
        }
        return "\(prefix): \(detail)."
    }
}

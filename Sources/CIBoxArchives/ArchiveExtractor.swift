// cibox — CI in a box. MIT licence, see LICENSE.

internal import CLibarchive
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Unpacks a tar archive (any compression libarchive reads) into a folder, safely.
///
/// Entries keep their modes, modification times and symbolic links. An entry whose name is absolute or has a
/// `..` component, or that would be written through a symbolic link, is refused: extraction stops with
/// `ArchiveError.Code.unsafeEntry`. Entries are re-rooted under the target folder's real path (resolved once,
/// so the folder itself may sit behind a link), which is why the name checks are done here rather than by
/// `ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS`; `SECURE_SYMLINKS` and `SECURE_NODOTDOT` stay on in libarchive too.
package enum ArchiveExtractor {
    /// The libarchive options: modes, times, and the secure checks. Not `ARCHIVE_EXTRACT_UNLINK`: with it,
    /// libarchive replaces a linked folder on the way with a real one instead of refusing the entry. Existing
    /// files are replaced anyway.
    static let options =
        ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT

    /// Unpacks `archivePath` into `directory` (created when missing) and returns the number of entries.
    /// - Throws: `ArchiveError` when the archive cannot be read, a file cannot be written, or an entry is unsafe.
    /// - Parameter keepingHoles: write runs of zeros (a sparse file's holes) as holes.
    @discardableResult
    package static func extract(_ archivePath: String, into directory: String, keepingHoles: Bool = false)
        throws(ArchiveError) -> Int
    {
        try extract(label: archivePath, into: directory, keepingHoles: keepingHoles) { reader in
            archive_read_open_filename(reader, archivePath, 1 << 20)
        }
    }

    /// Unpacks the archive read from `fd` (any compression libarchive reads) into `directory`.
    /// - Parameter label: how messages name the archive.
    /// - Throws: `ArchiveError` as ``extract(_:into:)`` does.
    @discardableResult
    package static func extract(descriptor fd: Int32, label: String, into directory: String) throws(ArchiveError)
        -> Int
    {
        try extract(label: label, into: directory, keepingHoles: false) { reader in
            archive_read_open_fd(reader, fd, 1 << 20)
        }
    }

    private static func extract(
        label archivePath: String, into directory: String, keepingHoles: Bool, open: (OpaquePointer) -> Int32
    ) throws(ArchiveError) -> Int {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError(.io, "Cannot create '\(directory)' to unpack '\(archivePath)': \(error).", cause: error)
        }
        guard let resolved = realpath(directory, nil) else {
            throw ArchiveError(.io, "Cannot resolve '\(directory)': \(String(cString: strerror(errno))).")
        }
        let root = String(cString: resolved)
        free(resolved)
        guard let reader = archive_read_new(), let disk = archive_write_disk_new() else {
            throw ArchiveError(.archive, "Cannot read '\(archivePath)': out of memory.")
        }
        defer {
            archive_read_free(reader)
            archive_write_free(disk)
        }
        archive_read_support_filter_all(reader)
        archive_read_support_format_tar(reader)
        archive_write_disk_set_options(disk, options | (keepingHoles ? ARCHIVE_EXTRACT_SPARSE : 0))
        guard open(reader) == ARCHIVE_OK else {
            throw ArchiveError(.archive, Archives.message(reader, "Cannot open the archive '\(archivePath)'"))
        }
        var count = 0
        while let entry = try nextEntry(reader, archivePath) {
            try extractEntry(entry, reader: reader, disk: disk, root: root, archivePath: archivePath)
            count += 1
        }
        guard archive_write_close(disk) >= ARCHIVE_WARN else {
            throw ArchiveError(.archive, Archives.message(disk, "Cannot finish unpacking '\(archivePath)'"))
        }
        return count
    }

    static func nextEntry(_ reader: OpaquePointer, _ archivePath: String) throws(ArchiveError)
        -> OpaquePointer?
    {
        var entry: OpaquePointer?
        let status = archive_read_next_header(reader, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status >= ARCHIVE_WARN, let entry else {
            throw ArchiveError(.archive, Archives.message(reader, "Cannot read the archive '\(archivePath)'"))
        }
        return entry
    }

    private static func extractEntry(
        _ entry: OpaquePointer, reader: OpaquePointer, disk: OpaquePointer, root: String, archivePath: String
    ) throws(ArchiveError) {
        let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        try checkName(name, archivePath: archivePath)
        archive_entry_copy_pathname(entry, root + "/" + name)
        if let link = archive_entry_hardlink(entry).map({ String(cString: $0) }) {
            try checkName(link, archivePath: archivePath)
            archive_entry_copy_hardlink(entry, root + "/" + link)
        }
        try write(entry, reader: reader, disk: disk, name: name, root: root, archivePath: archivePath)
    }

    /// Writes `entry` (its names already re-rooted) and its data from `reader` to `disk`.
    static func write(
        _ entry: OpaquePointer, reader: OpaquePointer, disk: OpaquePointer, name: String, root: String,
        archivePath: String
    ) throws(ArchiveError) {
        guard archive_write_header(disk, entry) >= ARCHIVE_WARN else {
            let refused = "Refused to unpack '\(name)' from '\(archivePath)' into '\(root)'"
            throw ArchiveError(.unsafeEntry, Archives.message(disk, refused))
        }
        var block: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive_read_data_block(reader, &block, &size, &offset)
            if status == ARCHIVE_EOF { break }
            guard status >= ARCHIVE_WARN else {
                throw ArchiveError(.archive, Archives.message(reader, "Cannot read '\(name)' from '\(archivePath)'"))
            }
            guard archive_write_data_block(disk, block, size, offset) >= ARCHIVE_WARN else {
                throw ArchiveError(.archive, Archives.message(disk, "Cannot unpack '\(name)' from '\(archivePath)'"))
            }
        }
        guard archive_write_finish_entry(disk) >= ARCHIVE_WARN else {
            throw ArchiveError(.archive, Archives.message(disk, "Cannot unpack '\(name)' from '\(archivePath)'"))
        }
    }

    /// Refuses absolute names and names with a `..` component.
    static func checkName(_ name: String, archivePath: String) throws(ArchiveError) {
        try checkName(name, from: "'\(archivePath)'")
    }

    /// Refuses absolute names and names with a `..` component; `source` names the archive in messages as it is.
    static func checkName(_ name: String, from source: String) throws(ArchiveError) {
        if name.hasPrefix("/") {
            throw ArchiveError(
                .unsafeEntry,
                "Refused to unpack '\(name)' from \(source): absolute paths are not allowed in an archive.")
        }
        if name.isEmpty || name.split(separator: "/").contains("..") {
            throw ArchiveError(
                .unsafeEntry,
                "Refused to unpack '\(name)' from \(source): the name is empty or leaves the target folder with '..'.")
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
internal import CLibarchive
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Applies one image layer (a tar, plain, gzip or zstd) onto a root folder, as OCI's image-layer rules say.
///
/// Owners, modes, times, symbolic and hard links and extended attributes are kept. A whiteout `.wh.NAME` removes
/// `NAME` as the lower layers left it; an opaque marker `.wh..wh..opq` empties its folder of what the lower layers
/// left (what this layer writes there stays, whatever the order of the entries). An entry replacing a folder with a
/// file (or the reverse) removes what was there first. Entries with an absolute name or a `..` component, and any
/// entry or whiteout whose folder on the way is a symbolic link, are refused (`ArchiveError.Code.unsafeEntry`):
/// nothing outside the root is ever written or removed.
package enum LayerExtractor {
    /// Owners and extended attributes on top of the safe extraction's options.
    static let options = ArchiveExtractor.options | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR

    /// The prefix of a whiteout's name.
    package static let whiteoutPrefix = ".wh."
    /// The name of an opaque marker.
    package static let opaqueMarker = ".wh..wh..opq"

    /// Applies the layer at `layerPath` onto `root` (an existing folder, given by its real path).
    /// - Parameter label: how messages name the layer (the image and the layer's digest).
    /// - Returns: the number of entries applied.
    /// - Throws: `ArchiveError`: `.archive` for an unreadable or damaged layer, `.unsafeEntry` for a refused entry.
    @discardableResult
    package static func apply(layer layerPath: String, label: String, onto root: String) throws(ArchiveError) -> Int {
        guard let reader = archive_read_new(), let disk = archive_write_disk_new() else {
            throw ArchiveError(.archive, "Cannot read \(label): out of memory.")
        }
        defer {
            archive_read_free(reader)
            archive_write_free(disk)
        }
        archive_read_support_filter_all(reader)
        archive_read_support_format_tar(reader)
        archive_write_disk_set_options(disk, options)
        guard archive_read_open_filename(reader, layerPath, 1 << 20) == ARCHIVE_OK else {
            throw ArchiveError(.archive, Archives.message(reader, "Cannot open \(label)"))
        }
        var layer = Layer(root: root, label: label)
        var count = 0
        while let entry = try ArchiveExtractor.nextEntry(reader, label) {
            try layer.apply(entry, reader: reader, disk: disk)
            count += 1
        }
        guard archive_write_close(disk) >= ARCHIVE_WARN else {
            throw ArchiveError(.archive, Archives.message(disk, "Cannot finish unpacking \(label)"))
        }
        return count
    }

    /// The state of one layer being applied: the names it wrote (which its own whiteouts leave alone).
    struct Layer {
        let root: String
        let label: String
        var written: Set<String> = []

        mutating func apply(_ entry: OpaquePointer, reader: OpaquePointer, disk: OpaquePointer) throws(ArchiveError) {
            let raw = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            try ArchiveExtractor.checkName(raw, from: label)
            let name = LayerExtractor.normalized(raw)
            if name.isEmpty { return }
            let base = Paths.lastComponent(name)
            let folder = name.contains("/") ? Paths.parent(name) : ""
            try checkFolder(folder, of: raw)
            if base == LayerExtractor.opaqueMarker {
                removeLowerChildren(of: folder)
                return
            }
            if base.hasPrefix(LayerExtractor.whiteoutPrefix) {
                let hiddenName = base.dropFirst(LayerExtractor.whiteoutPrefix.count)
                guard hiddenName != ".", hiddenName != "..", !hiddenName.isEmpty else {
                    throw ArchiveError(
                        .unsafeEntry, "Refused to unpack '\(raw)' from \(label): a whiteout of '\(hiddenName)'.")
                }
                let hidden = (folder.isEmpty ? "" : folder + "/") + hiddenName
                if !written.contains(hidden) { FolderTree.remove(root + "/" + hidden) }
                return
            }
            if let link = archive_entry_hardlink(entry).map({ String(cString: $0) }) {
                try ArchiveExtractor.checkName(link, from: label)
                let target = LayerExtractor.normalized(link)
                try checkFolder(target.contains("/") ? Paths.parent(target) : "", of: raw)
                archive_entry_copy_hardlink(entry, root + "/" + target)
            }
            replaceConflicting(name, isFolder: archive_entry_filetype(entry) == S_IFDIR)
            archive_entry_copy_pathname(entry, root + "/" + name)
            try ArchiveExtractor.write(entry, reader: reader, disk: disk, name: raw, root: root, archivePath: label)
            record(name)
        }

        /// Refuses an entry whose folder (relative to the root) passes through a symbolic link or a file, and makes
        /// the folders the layer does not list, as Docker does (mode 0755, root's; whatever cibox's umask).
        func checkFolder(_ folder: String, of name: String) throws(ArchiveError) {
            var path = root
            for component in folder.split(separator: "/") {
                path += "/" + component
                var info = stat()
                if lstat(path, &info) != 0 {
                    guard mkdir(path, 0o755) == 0, chmod(path, 0o755) == 0 else {
                        throw ArchiveError(
                            .io, "Cannot make '\(path)' for '\(name)' of \(label): \(String(cString: strerror(errno)))."
                        )
                    }
                    continue
                }
                if (info.st_mode & S_IFMT) != S_IFDIR {
                    throw ArchiveError(
                        .unsafeEntry,
                        "Refused to unpack '\(name)' from \(label): '\(path.dropFirst(root.count + 1))' on its way "
                            + "is \((info.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : "not a folder").")
                }
            }
        }

        /// Removes what is at `name` when the entry would change a folder into something else or the reverse, or
        /// replace a non-folder (links included, never followed).
        func replaceConflicting(_ name: String, isFolder: Bool) {
            var info = stat()
            let path = root + "/" + name
            guard lstat(path, &info) == 0 else { return }
            let existingFolder = (info.st_mode & S_IFMT) == S_IFDIR
            if existingFolder && isFolder { return }
            if existingFolder { FolderTree.remove(path) } else { unlink(path) }
        }

        /// Empties `folder` of what lower layers left in it.
        func removeLowerChildren(of folder: String) {
            let path = folder.isEmpty ? root : root + "/" + folder
            guard let children = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
            for child in children where !written.contains(folder.isEmpty ? child : folder + "/" + child) {
                FolderTree.remove(path + "/" + child)
            }
        }

        /// Records `name` and its folders as written by this layer.
        mutating func record(_ name: String) {
            var current = name
            while !current.isEmpty, written.insert(current).inserted, current.contains("/") {
                current = Paths.parent(current)
            }
        }
    }

    /// `name` without `.` components, empty components or a trailing slash (`./a//b/` is `a/b`).
    static func normalized(_ name: String) -> String {
        name.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `store_artifacts` sends from the job: the file or folder at a path, symbolic links followed only when they
/// lead inside an allowed folder (the job's home), only regular files and folders.
enum ExportTree {
    /// One entry to send.
    struct Entry {
        /// Where it is read (a link already resolved).
        var path: String
        /// Its name in the archive.
        var name: String
        /// Its status.
        var info: stat
    }

    /// The entries of `source` (named from `name`), in a stable order; refused and skipped ones are noted.
    static func entries(_ source: String, allowed: String, name: String) -> [Entry] {
        let root = ArtifactStore.realPath(allowed) ?? Paths.normalize(allowed)
        var entries: [Entry] = []
        collect(source, name: name, root: root, depth: 0, into: &entries)
        return entries
    }

    private static func collect(_ source: String, name: String, root: String, depth: Int, into entries: inout [Entry]) {
        guard var info = StoreFiles.status(source) else { return }
        var path = source
        if StoreFiles.isLink(info) {
            guard let resolved = ArtifactStore.realPath(source), Paths.isInside(resolved, root: root),
                let followed = StoreFiles.status(resolved), depth < 32
            else {
                let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: source)) ?? "?"
                JobFileOperations.say(
                    "note: Refused '\(source)': a symbolic link to '\(destination)', which is outside the job's folder "
                        + "'\(root)' (or missing). Artifacts are copied only from inside the job's folder.")
                return
            }
            (path, info) = (resolved, followed)
        }
        if StoreFiles.isFolder(info) {
            entries.append(Entry(path: path, name: name, info: info))
            for child in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                collect(path + "/" + child, name: name + "/" + child, root: root, depth: depth + 1, into: &entries)
            }
            return
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            JobFileOperations.say("note: Skipped '\(source)': not a regular file or folder.")
            return
        }
        entries.append(Entry(path: path, name: name, info: info))
    }

    /// Prints `FILES APPARENT ALLOCATED`: the number of files and their bytes as they read and as they take disk.
    static func measure(_ source: String, allowed: String) throws(ExecutorError) {
        try JobFileOperations.requireReadable(source)
        let files = entries(source, allowed: allowed, name: ".").filter { !StoreFiles.isFolder($0.info) }
        let apparent = files.reduce(Int64(0)) { $0 + Int64($1.info.st_size) }
        let allocated = files.reduce(Int64(0)) { $0 + Int64($1.info.st_blocks) * 512 }
        print("\(files.count) \(apparent) \(allocated)")
    }

    /// Writes the entries as a plain tar on standard output, sparse files as sparse.
    static func export(_ source: String, allowed: String, as name: String) throws(ExecutorError) {
        try JobFileOperations.requireReadable(source)
        let list = entries(source, allowed: allowed, name: name)
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(
                descriptor: 1, label: "standard output", compressed: false, keepsSparseFiles: true)
            for entry in list { try writer.add(entryAt: entry.path, as: entry.name) }
            try writer.finish()
        }
    }
}

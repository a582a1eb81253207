// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import CIBoxTestResults
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The built-in steps' file work as the job's helper process does it (`cibox agent files OPERATION …`): started in
/// the job's sandbox as the job's user, so that every path is opened with the job's rights in the job's view of the
/// files, exactly as its own `run:` steps would open it. Data goes through standard input and output (archives);
/// notes for the step's log and the final error go to standard error as `note: …` and `error: …` lines.
///
/// Operations (paths as the job sees them):
/// - `kind PATH`: `file`, `folder`, `link`, `other` or `missing` (links not followed).
/// - `sha256 PATH`: the file's SHA-256 in hex (links followed).
/// - `glob ROOT PATTERN`: the entries `PATTERN` matches under `ROOT`, each followed by a NUL.
/// - `archive PATH NAME [PATH NAME …]`: a tar + zstd of each (missing ones skipped with a note) on standard output.
/// - `extract FOLDER`: unpacks the tar on standard input into `FOLDER` (made when missing), safely.
/// - `measure SOURCE ALLOWED`: the files, apparent and allocated bytes of what `export` would send.
/// - `export SOURCE ALLOWED NAME`: a tar (sparse files kept sparse) of the file or folder as `NAME` on standard
///   output; links are followed only to paths inside `ALLOWED` (others refused with a note).
/// - `collect PATH`: a tar of the JUnit files at `PATH` (the file, or every `*.xml` under the folder).
/// - `move SOURCE TARGET [ALIAS]`: renames `SOURCE` to `TARGET` (its parents made). `ALIAS` is the same folder as
///   `TARGET` reached through `SOURCE`'s mount (a folder bound at `TARGET`): it is used when `TARGET` is on another
///   mount, entry by entry when `TARGET` is itself a mount point; across file systems the files are copied.
package enum JobFileOperations {
    /// The exit status of an operation refused a path (the job's user may not read it): `EX_NOPERM`.
    package static let refusedStatus: Int32 = 77

    /// Runs the operation `arguments` names and returns the process's exit status.
    package static func run(_ arguments: [String]) -> Int32 {
        do {
            try perform(arguments)
            return 0
        } catch {
            say("error: \(error.message)")
            return error.code == .refused ? refusedStatus : 1
        }
    }

    private static func perform(_ arguments: [String]) throws(ExecutorError) {
        let operands = Array(arguments.dropFirst())
        switch (arguments.first, operands.count) {
        case ("kind", 1): print(kind(operands[0]))
        case ("sha256", 1): print(try sha256(operands[0]))
        case ("glob", 2): try glob(operands[1], root: operands[0])
        case ("archive", let count) where count % 2 == 0: try archive(operands)
        case ("extract", 1): try extract(into: operands[0])
        case ("measure", 2): try ExportTree.measure(operands[0], allowed: operands[1])
        case ("export", 3): try ExportTree.export(operands[0], allowed: operands[1], as: operands[2])
        case ("collect", 1): try collect(operands[0])
        case ("move", 2): try move(operands[0], to: operands[1], alias: nil)
        case ("move", 3): try move(operands[0], to: operands[1], alias: operands[2])
        default:
            throw ExecutorError(.io, "unknown file operation '\(arguments.joined(separator: " "))'")
        }
    }

    /// Writes a line to standard error (a note or the error, for cibox to read).
    static func say(_ line: String) {
        FileHandle.standardError.write(Data((line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
    }

    static func kind(_ path: String) -> String {
        guard let info = StoreFiles.status(path) else { return "missing" }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "file"
        case S_IFDIR: return "folder"
        case S_IFLNK: return "link"
        default: return "other"
        }
    }

    static func sha256(_ path: String) throws(ExecutorError) -> String {
        guard let digest = SHA256Digest.of(fileAt: path) else {
            throw ExecutorError(.io, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        return SHA256Digest.hex(digest)
    }

    /// Refuses `path` when it exists but the job's user may not read it (list it, for a folder): refused, not
    /// empty, so that a built-in step never stores nothing and calls it done.
    static func requireReadable(_ path: String) throws(ExecutorError) {
        guard let info = StoreFiles.status(path), info.st_mode & S_IFMT != S_IFLNK else { return }
        let needed = info.st_mode & S_IFMT == S_IFDIR ? R_OK | X_OK : R_OK
        if access(path, needed) != 0 {
            throw ExecutorError(.refused, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    static func glob(_ pattern: String, root: String) throws(ExecutorError) {
        try requireReadable(root)
        var output = Data()
        for match in WorkspaceGlob.matches(pattern, root: root) { output += Data(match.utf8) + Data([0]) }
        FileHandle.standardOutput.write(output)
    }

    static func archive(_ operands: [String]) throws(ExecutorError) {
        var sources: [(String, String)] = []
        for index in stride(from: 0, to: operands.count, by: 2) {
            let (path, name) = (operands[index], operands[index + 1])
            guard StoreFiles.status(path) != nil else {
                say("note: missing \(path)")
                continue
            }
            try requireReadable(path)
            sources.append((path, name))
        }
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(descriptor: 1, label: "standard output", compressed: true)
            for (path, name) in sources { try writer.add(tree: path, as: name) }
            try writer.finish()
        }
    }

    static func extract(into folder: String) throws(ExecutorError) {
        let count = try archiving { () throws(ArchiveError) in
            try ArchiveExtractor.extract(descriptor: 0, label: "the archive", into: folder)
        }
        print(count)
    }

    static func collect(_ path: String) throws(ExecutorError) {
        let files: [String]
        do {
            files = try TestResultFiles.find(at: path)
        } catch {
            throw ExecutorError(error.code == .unreadable ? .refused : .io, error.message, cause: error)
        }
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(descriptor: 1, label: "standard output", compressed: false)
            // Each file under its own absolute path (without the first slash), so warnings can name it.
            for file in files { try writer.add(entryAt: file, as: String(file.dropFirst())) }
            try writer.finish()
        }
    }

    static func move(_ source: String, to target: String, alias: String?) throws(ExecutorError) {
        let destination = alias ?? target
        do {
            try Folders.make(Paths.parent(destination))
        } catch {
            throw ExecutorError(
                .io, "cannot make '\(Paths.parent(destination))': \(error.localizedDescription)", cause: error)
        }
        // An empty folder in the way (the working directory made before the checkout) is replaced, but for the root of
        // a bind (the folder bound at the job's absolute working directory: `TARGET` and `ALIAS` are one folder),
        // which must stay the folder the mount shows: entries move into it. (rmdir fails on a mount point itself.)
        if alias == nil || !isSameFolder(target, destination) { rmdir(destination) }
        if access(destination, F_OK) == 0 {
            // In a container the checkout is handed over inside the folder bound at the working directory (one mount,
            // so its entries move by rename): that entry does not count.
            let handedInside = isSameFolder(Paths.parent(source), destination) ? Paths.lastComponent(source) : nil
            guard isEmpty(destination, ignoring: handedInside) == true else {
                throw ExecutorError(.io, "cannot check out into '\(target)': it exists and is not empty")
            }
            try moveEntries(of: source, into: destination)
            rmdir(source)
            return
        }
        if rename(source, destination) == 0 { return }
        guard errno == EXDEV else {
            throw ExecutorError(.io, "cannot move '\(source)' to '\(target)': \(String(cString: strerror(errno)))")
        }
        try copyAcross(source, to: destination)
        FolderTree.remove(source)
    }

    /// Whether `first` and `second` are one folder (one seen through a bind mount of the other).
    private static func isSameFolder(_ first: String, _ second: String) -> Bool {
        guard let one = StoreFiles.status(first), let two = StoreFiles.status(second) else { return false }
        return one.st_dev == two.st_dev && one.st_ino == two.st_ino
    }

    /// Whether `folder` holds nothing but `ignoring` (nil when it cannot be listed).
    private static func isEmpty(_ folder: String, ignoring: String? = nil) -> Bool? {
        (try? FileManager.default.contentsOfDirectory(atPath: folder)).map { $0.allSatisfy { $0 == ignoring } }
    }

    private static func moveEntries(of source: String, into destination: String) throws(ExecutorError) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] {
            guard rename(source + "/" + entry, destination + "/" + entry) == 0 else {
                if errno == EXDEV {
                    try copyAcross(source + "/" + entry, to: destination + "/" + entry)
                    FolderTree.remove(source + "/" + entry)
                    continue
                }
                throw ExecutorError(
                    .io, "cannot move '\(source)/\(entry)' into '\(destination)': \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Copies `source` to `target` on another file system (a folder written as an archive to a temporary file, then
    /// unpacked there).
    private static func copyAcross(_ source: String, to target: String) throws(ExecutorError) {
        let temporary = Paths.parent(target) + "/.cibox-move-\(getpid()).tar"
        defer { unlink(temporary) }
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(path: temporary, level: 1)
            try writer.add(tree: source, as: ".")
            try writer.finish()
            try ArchiveExtractor.extract(temporary, into: target)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import CIBoxTestResults
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The built-in steps' file work for a job on this machine's shell, done by cibox itself on the host's files.
///
/// With `run_as`, what cibox writes into the job's folder (a checkout, a restored cache, an attached workspace) is
/// given to the job's user afterwards, so its steps can change it.
struct HostFiles: SandboxFiles {
    /// The job's folder (its home).
    let home: String
    /// The job's user, if it is not cibox's.
    let runAs: (uid: UInt32, gid: UInt32)?

    func kind(of path: String) -> FileKind? {
        guard let info = StoreFiles.status(path) else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        case S_IFLNK: return .link
        default: return .other
        }
    }

    func sha256(of path: String) throws(ExecutorError) -> [UInt8] {
        guard let digest = SHA256Digest.of(fileAt: path) else {
            throw ExecutorError(.io, "cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        return digest
    }

    func glob(_ pattern: String, root: String) -> [String] {
        WorkspaceGlob.matches(pattern, root: root)
    }

    func archive(_ sources: [(path: String, name: String)], to archive: String) throws(ExecutorError) -> Int64 {
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(path: archive)
            for source in sources { try writer.add(tree: source.path, as: source.name) }
            return try writer.finish()
        }
    }

    func extract(_ archive: String, into directory: String) throws(ExecutorError) -> Int {
        let count = try archiving { () throws(ArchiveError) in try ArchiveExtractor.extract(archive, into: directory) }
        if let runAs { try Self.giveAway(home, to: runAs) }
        return count
    }

    func export(_ source: String, to target: String, log: (String) -> Void) throws(ExecutorError) -> Int {
        try ArtifactStore.copy(source, to: target, allowedRoot: home, log: log)
    }

    func readTestResults(at path: String) -> JUnitReport {
        JUnitParser.read(path: path)
    }

    func checkout(_ source: any SourceCheckout, into directory: String) throws -> String {
        // libgit2 refuses a repository owned by another user: with run_as, cibox checks out into a folder of its
        // own, then gives the files to the job's user.
        if runAs != nil { lchown(directory, getuid(), getgid()) }
        let line = try source.checkout(into: directory)
        if let runAs { try Self.giveAway(directory, to: runAs) }
        return line
    }

    /// Makes `path` and everything under it belong to `user` (symbolic links themselves, never their targets).
    static func giveAway(_ path: String, to user: (uid: UInt32, gid: UInt32)) throws(ExecutorError) {
        guard lchown(path, user.uid, user.gid) == 0 else {
            throw ExecutorError(
                .workspace, "Cannot give '\(path)' to user \(user.uid): \(String(cString: strerror(errno))).")
        }
        // attributesOfItem does not follow symbolic links, like lstat.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeDirectory else { return }
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            try giveAway(path + "/" + child, to: user)
        }
    }
}

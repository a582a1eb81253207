// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxGit
import CIBoxModel
import CIBoxStore
import Foundation

/// A hash of everything a compile of a commit's config reads, so that a compile done once (its config hash kept
/// in the store) can stand for the next one with the same inputs: the pre-push gate then verifies a tree that
/// passed without compiling.
///
/// The inputs: the cibox build (the executable's size and modification time: a rebuilt compiler never reuses
/// an old answer), the commit's tree (it fixes the config's path and text and the `.circleci/orbs` folder),
/// the `--param`, `--workflow` and `--job` selection, the branch or tag, the repository, and the orb store's
/// files (names, sizes, modification times). The per-pipeline values (`pipeline.id`, `pipeline.number`, the
/// commit, the trigger) are left out, as ``PipelineEngine/configHash(of:request:)`` leaves them out. The tree,
/// not the config's text, so that the gate can make the key without reading the commit's files through
/// libgit2 (see ``LooseCommit``).
enum CompileKey {
    /// The key of compiling `source` with `options` in the state folder `home`.
    static func make(source: ResolvedSource, options: RunOptions, home: String) -> String {
        make(
            repositoryPath: source.repositoryPath, treeID: source.treeID, branch: source.branch, tag: source.tag,
            options: options, home: home)
    }

    /// The key of compiling the config of the commit with tree `treeID` in the repository at `repositoryPath`,
    /// pushed or run as `branch` or `tag`, with `options` in the state folder `home`.
    static func make(
        repositoryPath: String, treeID: String, branch: String?, tag: String?, options: RunOptions, home: String
    ) -> String {
        var parts = [
            "cibox compile key 2", build, configPaths.joined(separator: "\u{0}"), treeID,
            options.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}"),
            options.workflows.joined(separator: "\u{0}"), options.jobs.joined(separator: "\u{0}"),
            branch ?? "-", tag ?? "-", repositoryPath, options.allowMissingOrbs ? "allow missing orbs" : "",
        ]
        parts += orbStoreFiles(home + "/orbs")
        return StableHash.hex(of: Data(parts.joined(separator: "\u{1}").utf8))
    }

    /// The running executable's size and modification time.
    static let build: String = {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return "unknown build" }
        return "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }()

    /// Every file under the orb store with its size and modification time, sorted (plain system calls: this is
    /// on the pre-push hook's path).
    static func orbStoreFiles(_ folder: String) -> [String] {
        var files: [String] = []
        collect(folder, relative: "", into: &files)
        return files.isEmpty ? ["no orbs"] : files.sorted()
    }

    private static func collect(_ folder: String, relative: String, into files: inout [String]) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard stat(folder + "/" + name, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                collect(folder + "/" + name, relative: relative + name + "/", into: &files)
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                files.append("\(relative)\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
            }
        }
    }
}

extension PipelineEngine {
    /// The pipeline that already verified `options`' commit, found without opening the store or compiling:
    /// the compile inputs' ``CompileKey`` must have been compiled before, and a pipeline of the project must
    /// have passed on the same tree with that compile's config hash. Nil means "take the full path", never
    /// "not verified".
    package static func quicklyVerified(_ options: RunOptions, home: String) -> (id: Int64, number: Int)? {
        guard let commit = looseCommit(options) ?? resolvedCommit(options) else { return nil }
        return VerifiedTreeLookup.passedPipeline(
            databasePath: PipelineStore.databasePath(home: home), repositoryPath: commit.repositoryPath,
            compileKey: CompileKey.make(
                repositoryPath: commit.repositoryPath, treeID: commit.treeID, branch: commit.branch, tag: commit.tag,
                options: options, home: home),
            treeID: commit.treeID)
    }

    private typealias PushedCommit = (repositoryPath: String, treeID: String, branch: String?, tag: String?)

    /// The pushed commit read as a loose object, without loading libgit2 (see ``LooseCommit``): only for a full
    /// commit id pushed to a named ref, in an ordinary repository.
    private static func looseCommit(_ options: RunOptions) -> PushedCommit? {
        guard !options.workingTree, let pushedRef = options.pushedRef, let commit = options.revision,
            let repository = LooseCommit.repository(at: Paths.absolute(options.path)),
            let treeID = LooseCommit.treeID(of: commit, gitDirectory: repository.gitDirectory)
        else { return nil }
        return (repository.workTree, treeID, RefName.branch(of: pushedRef), RefName.tag(of: pushedRef))
    }

    /// The commit resolved through libgit2.
    private static func resolvedCommit(_ options: RunOptions) -> PushedCommit? {
        guard let source = try? resolveSource(options), source.kind == .commit else { return nil }
        return (source.repositoryPath, source.treeID, source.branch, source.tag)
    }
}

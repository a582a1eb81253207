// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxStore
import Foundation

/// A hash of everything a compile of a commit's config reads, so that a compile done once (its config hash kept
/// in the store) can stand for the next one with the same inputs: the pre-push gate then verifies a tree that
/// passed without compiling.
///
/// The inputs: the cibox build (the executable's size and modification time: a rebuilt compiler never reuses
/// an old answer), the config's path and text, the `--param`, `--workflow` and `--job` selection, the branch
/// or tag, the repository, the commit's `.circleci/orbs` folder (its object id), and the orb store's files
/// (names, sizes, modification times). The per-pipeline values (`pipeline.id`, `pipeline.number`, the commit,
/// the trigger) are left out, as ``PipelineEngine/configHash(of:request:)`` leaves them out.
enum CompileKey {
    /// The key of compiling `source` with `options` in the state folder `home`.
    static func make(source: ResolvedSource, options: RunOptions, home: String) -> String {
        var parts = [
            "cibox compile key 1", build, source.configPath, source.configText,
            options.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}"),
            options.workflows.joined(separator: "\u{0}"), options.jobs.joined(separator: "\u{0}"),
            source.branch ?? "-", source.tag ?? "-", source.repositoryPath, source.orbsFolderID ?? "-",
            options.allowMissingOrbs ? "allow missing orbs" : "",
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
        guard let source = try? resolveSource(options), source.kind == .commit else { return nil }
        return VerifiedTreeLookup.passedPipeline(
            databasePath: PipelineStore.databasePath(home: home), repositoryPath: source.repositoryPath,
            compileKey: CompileKey.make(source: source, options: options, home: home), treeID: source.treeID)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxGit
import CIBoxModel
import Foundation

extension PipelineEngine {
    /// Opens the repository around `options.path`, resolves the revision and reads the config.
    static func resolveSource(_ options: RunOptions) throws(EngineError) -> ResolvedSource {
        GitLibrary.initialize()
        let repository: GitRepository
        do {
            repository = try GitRepository.open(discoveringFrom: Paths.absolute(options.path))
        } catch {
            throw EngineError(.noRepository, error.message, cause: error)
        }
        let repositoryPath = repository.workingDirectory ?? repository.gitDirectory
        do {
            if options.workingTree {
                return try workingTreeSource(repository, path: repositoryPath)
            }
            let revision = options.revision ?? "HEAD"
            let resolved = try repository.resolve(revision)
            var configPath = configPaths[0]
            var data: Data?
            for candidate in configPaths {
                data = try repository.readFile(candidate, at: resolved.commit)
                if data != nil {
                    configPath = candidate
                    break
                }
            }
            guard let data else {
                throw EngineError(
                    .noConfig,
                    "No .circleci/config.yml in \(revision) (\(resolved.commit.sha.prefix(12))) of '\(repositoryPath)'. Commit one, or run with --working-tree to use the file on disk."
                )
            }
            var branch = resolved.branch
            var tag = resolved.tag
            if let pushedRef = options.pushedRef {
                branch = RefName.branch(of: pushedRef)
                tag = RefName.tag(of: pushedRef)
            }
            return ResolvedSource(
                repositoryPath: repositoryPath, projectName: repository.name, revision: resolved.commit.sha,
                treeID: resolved.commit.treeID, branch: branch, tag: tag, configPath: configPath,
                configText: try decode(data, path: configPath), kind: .commit
            )
        } catch let error as GitError {
            throw EngineError(.noRepository, error.message, cause: error)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.noRepository, String(describing: error), cause: error)
        }
    }

    private static func workingTreeSource(_ repository: GitRepository, path: String) throws -> ResolvedSource {
        guard let workTree = repository.workingDirectory else {
            throw EngineError(
                .noRepository,
                "'\(path)' is a bare repository: it has no work tree for --working-tree. Use --rev instead.")
        }
        let head = try repository.resolve("HEAD")
        for candidate in configPaths {
            let full = workTree + "/" + candidate
            if let data = FileManager.default.contents(atPath: full) {
                return ResolvedSource(
                    repositoryPath: workTree, projectName: repository.name, revision: head.commit.sha,
                    treeID: head.commit.treeID, branch: repository.headBranch(), tag: nil, configPath: candidate,
                    configText: try decode(data, path: candidate), kind: .workingTree
                )
            }
        }
        throw EngineError(
            .noConfig, "No .circleci/config.yml in the work tree '\(workTree)'. Create one to describe the pipeline.")
    }

    private static func decode(_ data: Data, path: String) throws(EngineError) -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw EngineError(.invalidConfig, "\(path) is not UTF-8 text. Save it as UTF-8.")
        }
        return text
    }
}

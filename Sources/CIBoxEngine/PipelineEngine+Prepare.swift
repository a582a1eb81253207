// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
import CIBoxGit
import CIBoxModel
import CIBoxPlanner
import CIBoxStore
import Foundation

/// The config files cibox looks for, in order.
let configPaths = [".circleci/config.yml", ".circleci/config.yaml"]

/// Where a pipeline's source and config come from, once the revision is resolved.
struct ResolvedSource {
    var repositoryPath: String
    var projectName: String
    var revision: String
    var treeID: String
    var branch: String?
    var tag: String?
    var configPath: String
    var configText: String
    var kind: SourceKind
}

extension PipelineEngine {
    /// Reads the config of the requested revision, compiles and plans it, and records the pipeline.
    /// - Throws: ``EngineError``: `noRepository`, `noConfig`, `invalidConfig` (with diagnostics), `nothingToRun`, `store`.
    package func prepare(_ options: RunOptions) throws(EngineError) -> PreparedPipeline {
        let source = try Self.resolveSource(options)
        let project: Project
        do {
            project = try store.project(path: source.repositoryPath, name: source.projectName)
        } catch {
            throw EngineError(.store, error.description)
        }
        for _ in 0..<5 {
            let number: Int
            do { number = try store.nextPipelineNumber(projectID: project.id) } catch {
                throw EngineError(.store, error.description)
            }
            let (plan, warnings) = try compile(source, options: options, number: number)
            let new = NewPipeline(
                projectID: project.id, number: number, uuid: UUID().uuidString.lowercased(), revision: source.revision,
                treeID: source.treeID, branch: source.branch, tag: source.tag, trigger: options.trigger,
                source: source.kind, configHash: Self.hash(of: plan), plan: plan
            )
            do {
                let detail = try store.record(new)
                let checkout = GitSourceCheckout(
                    repositoryPath: source.repositoryPath, revision: source.revision, branch: source.branch,
                    workingTree: source.kind == .workingTree
                )
                return PreparedPipeline(
                    detail: detail, plan: plan, warnings: warnings, source: checkout,
                    repositoryPath: source.repositoryPath
                )
            } catch  where error.code == .conflict {
                continue
            } catch {
                throw EngineError(.store, error.description)
            }
        }
        throw EngineError(
            .store, "Could not number the new pipeline: other processes kept taking the number. Try again.")
    }

    /// Compiles and plans the config for pipeline number `number`.
    private func compile(
        _ source: ResolvedSource, options: RunOptions, number: Int
    ) throws(EngineError) -> (Plan, [Diagnostic]) {
        let values = PipelineValues(
            id: UUID().uuidString.lowercased(), number: number, projectGitURL: source.repositoryPath,
            branch: source.branch, tag: source.tag, revision: source.revision,
            triggerSource: options.trigger == .manual ? "api" : options.trigger.rawValue
        )
        let result = ConfigCompiler.compile(
            ConfigSource(path: source.configPath, text: source.configText), values: values,
            parameters: options.parameters
        )
        var diagnostics = result.diagnostics
        guard let configuration = result.configuration, !diagnostics.containsError else {
            throw EngineError(.invalidConfig, "\(source.configPath) is not a valid config.", diagnostics: diagnostics)
        }
        diagnostics += Planner.validate(configuration)
        if diagnostics.containsError {
            throw EngineError(.invalidConfig, "\(source.configPath) is not a valid config.", diagnostics: diagnostics)
        }
        do {
            let plan = try Planner.plan(
                configuration, branch: source.branch, tag: source.tag,
                selection: WorkflowSelection(workflows: options.workflows, job: options.job)
            )
            return (plan, diagnostics)
        } catch {
            throw EngineError(.nothingToRun, error.message, diagnostics: diagnostics)
        }
    }

    /// The hash that identifies a compiled plan (same config, same selection → same hash).
    static func hash(of plan: Plan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(plan)) ?? Data()
        return StableHash.hex(of: data)
    }
}

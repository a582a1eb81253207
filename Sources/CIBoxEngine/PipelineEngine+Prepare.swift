// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
import CIBoxExecutor
import CIBoxGit
import CIBoxModel
import CIBoxOrbs
import CIBoxPlanner
import CIBoxStore
import Foundation

/// The config files cibox looks for, in order.
let configPaths = [".circleci/config.yml", ".circleci/config.yaml"]

/// Everything a compile needs besides the compiler.
struct CompileRequest: Sendable {
    var path: String
    var text: String
    var values: PipelineValues
    var parameters: [String: String]
    var selection: WorkflowSelection
    var options: CompileOptions
}

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
    /// - Throws: ``EngineError``: `noRepository`, `noConfig`, `invalidConfig` (with diagnostics, and the pipeline
    ///   it recorded as `error`), `nothingToRun`, `store`.
    package func prepare(_ options: RunOptions) throws(EngineError) -> PreparedPipeline {
        switch try prepare(options, acceptingVerified: false) {
        case .prepared(let prepared): return prepared
        case .verified(let pipeline):
            throw EngineError(.store, "Pipeline \(pipeline.id) verified a run that was not asked to be verified.")
        }
    }

    /// Like ``prepare(_:)``, but when a pipeline of the same project already passed on the same tree with the
    /// same compiled plan (same config and workflow selection), returns that pipeline instead of recording one.
    /// - Throws: ``EngineError`` as ``prepare(_:)`` does.
    package func prepareUnlessVerified(_ options: RunOptions) throws(EngineError) -> Preparation {
        try prepare(options, acceptingVerified: true)
    }

    private func prepare(_ options: RunOptions, acceptingVerified: Bool) throws(EngineError) -> Preparation {
        // A pipeline usually follows: its first job starts sooner with the executor ready for it.
        executor.expectJobs()
        let source = try Self.resolveSource(options)
        PhaseMarks.mark("config read")
        let project: Project
        do {
            // A repository run for the first time becomes a project with its refs seen: a daemon on the home watches
            // it from then on, and builds what moves after, not what was there.
            let path = source.repositoryPath
            project = try store.projects.project(path: path, name: source.projectName) {
                try GitRepository.open(discoveringFrom: path).references()
            }
        } catch {
            throw EngineError(.store, error.description, cause: error)
        }
        PhaseMarks.mark("project")
        // One id for every attempt: compiles for two numbers then differ only where the config uses the number.
        let pipelineUUID = UUID().uuidString.lowercased()
        var number: Int
        do { number = try store.pipelines.nextPipelineNumber(projectID: project.id) } catch {
            throw EngineError(.store, error.description, cause: error)
        }
        var earlierPlan: Data?
        var isReserved = false
        var conflicts = 0
        // At most three compiles: with the next number; if another process took it, with the new next one, which
        // the store gives as it records when the plan came out the same (it does not use its number); else with a
        // number reserved for this pipeline, which nobody else can take.
        while true {
            let values = PipelineValues(
                id: pipelineUUID, number: number, projectGitURL: source.repositoryPath,
                branch: source.branch, tag: source.tag, revision: source.revision,
                triggerSource: options.trigger == .manual ? "api" : options.trigger.rawValue
            )
            let orbs = orbSource(for: source)
            let request = CompileRequest(
                path: source.configPath, text: source.configText, values: values, parameters: options.parameters,
                selection: WorkflowSelection(workflows: options.workflows, jobs: options.jobs),
                options: CompileOptions(
                    orbs: orbs, allowMissingOrbs: options.allowMissingOrbs,
                    maxExpandedBytes: settings.config.maxExpandedBytes)
            )
            var (plan, warnings, isSetup): (Plan, [Diagnostic], Bool)
            do {
                (plan, warnings, isSetup) = try compile(request)
            } catch  where error.code == .invalidConfig {
                guard
                    let recorded = try recordInvalidConfig(
                        error, project: project, number: number, source: source, options: options)
                else { continue }
                throw recorded
            }
            if isSetup { plan.isSetup = true }
            PhaseMarks.mark("compile")
            let planJSON = Self.encoded(plan)
            let configHash = try self.configHash(of: planJSON, request: request)
            if source.kind == .commit {
                // Only a shortcut for the pre-push gate: losing it costs a compile later, nothing else.
                try? store.verifiedTrees.rememberConfigHash(
                    key: CompileKey.make(source: source, options: options, home: home), configHash: configHash)
            }
            if acceptingVerified, source.kind == .commit {
                do {
                    if let passed = try store.verifiedTrees.passedPipeline(
                        projectID: project.id, treeID: source.treeID, configHash: configHash)
                    {
                        return .verified(passed)
                    }
                } catch {
                    throw EngineError(.store, error.description, cause: error)
                }
            }
            var new = NewPipeline(
                projectID: project.id, number: number, uuid: pipelineUUID, revision: source.revision,
                treeID: source.treeID, branch: source.branch, tag: source.tag, trigger: options.trigger,
                source: source.kind, configHash: configHash, plan: plan
            )
            new.seenRef = options.seenRef
            new.encodedPlan = planJSON
            // The same plan for two numbers: the config does not use it, so the store numbers the pipeline as it
            // records it and no other process can take the number in between.
            new.takesNextNumber = !isReserved && earlierPlan == planJSON
            new.numberIsReserved = isReserved
            earlierPlan = planJSON
            do {
                let detail = try store.pipelines.record(new)
                PhaseMarks.mark("record")
                let checkout = GitSourceCheckout(
                    repositoryPath: source.repositoryPath, revision: source.revision, branch: source.branch,
                    workingTree: source.kind == .workingTree
                )
                return .prepared(
                    PreparedPipeline(
                        detail: detail, plan: plan, warnings: warnings, source: checkout,
                        repositoryPath: source.repositoryPath, isSetup: isSetup, compileRequest: request
                    ))
            } catch  where error.code == .conflict && !isReserved {
                // Another process recorded a pipeline of the project meanwhile: compile again with the next number,
                // or, the second time (the plan uses its number), with one reserved for this pipeline.
                conflicts += 1
                do {
                    if conflicts > 1 {
                        number = try store.pipelines.reserveNumber(projectID: project.id)
                        isReserved = true
                    } else {
                        number = try store.pipelines.nextPipelineNumber(projectID: project.id)
                    }
                } catch {
                    throw EngineError(.store, error.description, cause: error)
                }
            } catch {
                throw EngineError(.store, error.description, cause: error)
            }
        }
    }

    /// The orbs of `source`'s project and of the store.
    func orbSource(for source: ResolvedSource) -> LocalOrbSource {
        let project: LocalOrbSource.ProjectFiles =
            source.kind == .workingTree
            ? .folder(source.repositoryPath) : .commit(repositoryPath: source.repositoryPath, sha: source.revision)
        return LocalOrbSource(storeFolder: home + "/orbs", project: project)
    }

    /// Compiles and plans a config.
    /// - Returns: the plan, the warnings, and whether the config is a setup config.
    func compile(_ request: CompileRequest) throws(EngineError) -> (Plan, [Diagnostic], Bool) {
        let result = ConfigCompiler.compile(
            ConfigSource(path: request.path, text: request.text), values: request.values,
            parameters: request.parameters, options: request.options
        )
        let diagnostics = ConfigValidation.allDiagnostics(result)
        guard let configuration = result.configuration, !diagnostics.containsError else {
            throw EngineError(.invalidConfig, "\(request.path) is not a valid config.", diagnostics: diagnostics)
        }
        do {
            let plan = try Planner.plan(
                configuration, branch: request.values.branch, tag: request.values.tag, selection: request.selection
            )
            return (plan, diagnostics, configuration.isSetup)
        } catch {
            throw EngineError(.nothingToRun, error.message, diagnostics: diagnostics, cause: error)
        }
    }

    /// The pipeline values that differ between two pipelines of the same commit, or of two commits with the same
    /// tree (an amended message, a rebase that keeps the tree).
    static let perPipelineValues = [
        "pipeline.id", "pipeline.number", "pipeline.git.revision", "pipeline.trigger_source",
    ]

    /// The hash that identifies what a pipeline checks: its compiled plan with the per-pipeline values
    /// (``perPipelineValues``) left out, so a tree that passed is verified whatever the pipeline's number.
    ///
    /// A config that uses none of those values is compiled once; one that does is compiled again with fixed
    /// values for the hash.
    func configHash(of planJSON: Data, request: CompileRequest) throws(EngineError) -> String {
        guard Self.perPipelineValues.contains(where: { request.text.contains($0) }) else {
            return StableHash.hex(of: planJSON)
        }
        var neutral = request
        neutral.values.id = "00000000-0000-0000-0000-000000000000"
        neutral.values.number = 0
        neutral.values.revision = String(repeating: "0", count: 40)
        neutral.values.triggerSource = "cibox"
        var (neutralPlan, _, isSetup) = try compile(neutral)
        if isSetup { neutralPlan.isSetup = true }
        return Self.hash(of: neutralPlan)
    }

    /// The hash of a compiled plan (same config, same selection → same hash).
    static func hash(of plan: Plan) -> String {
        StableHash.hex(of: encoded(plan))
    }

    /// A plan as JSON with sorted keys: the same plan always gives the same bytes.
    static func encoded(_ plan: Plan) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(plan)) ?? Data()
    }
}

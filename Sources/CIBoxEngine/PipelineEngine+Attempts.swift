// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxStore
import Foundation

extension PipelineEngine {
    /// A recorded pipeline, ready to run again from where it stands (after an approval).
    /// - Throws: ``EngineError`` `notFound` when there is no such pipeline.
    package func resume(pipelineID: Int64) throws(EngineError) -> PreparedPipeline {
        do {
            guard let detail = try store.history.pipelineDetail(id: pipelineID),
                let project = try store.projects.project(id: detail.pipeline.projectID)
            else { throw EngineError(.notFound, "No pipeline with id \(pipelineID). `cibox pipelines` lists them.") }
            let plan = try store.pipelines.plan(pipelineID: pipelineID)
            let pipeline = detail.pipeline
            let source = GitSourceCheckout(
                repositoryPath: project.path, revision: pipeline.revision, branch: pipeline.branch,
                workingTree: pipeline.source == .workingTree
            )
            return PreparedPipeline(
                detail: detail, plan: plan, warnings: [], source: source, repositoryPath: project.path, isSetup: false,
                compileRequest: nil
            )
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.store, String(describing: error), cause: error)
        }
    }

    /// Approves `jobName` in pipeline `pipelineID` and returns the pipeline, ready to go on.
    /// - Throws: ``EngineError`` `notFound` naming what waits for approval.
    package func approve(pipelineID: Int64, jobName: String) throws(EngineError) -> PreparedPipeline {
        let current = try resume(pipelineID: pipelineID)
        try Self.checkResumable(current, doing: "approve")
        let active = current.detail.workflows.flatMap(\.jobs).filter { [.running, .queued].contains($0.job.status) }
        guard active.isEmpty else {
            throw EngineError(
                .nothingToRun,
                "Pipeline \(pipelineID) is still running in another process (\(active.map { "'\($0.job.name)'" }.joined(separator: ", "))). "
                    + "Approve once its running jobs have finished."
            )
        }
        do {
            _ = try store.jobs.approve(pipelineID: pipelineID, jobName: jobName)
        } catch {
            throw EngineError(error.code == .notFound ? .notFound : .store, error.message, cause: error)
        }
        return try resume(pipelineID: pipelineID)
    }

    /// Records a new attempt of pipeline `pipelineID` (same commit and plan) as a new pipeline: every job
    /// again, or with `failedOnly` the jobs that did not pass and those after them, the passed ones kept.
    /// - Throws: ``EngineError`` `notFound`, or `nothingToRun` when `failedOnly` finds nothing that failed.
    package func rerun(pipelineID: Int64, failedOnly: Bool) throws(EngineError) -> PreparedPipeline {
        let original = try resume(pipelineID: pipelineID)
        try Self.checkResumable(original, doing: "rerun")
        let old = original.detail
        var passed: [String: Job] = [:]
        for workflow in old.workflows {
            for job in workflow.jobs where job.job.status == .success {
                passed["\(workflow.workflow.name)/\(job.job.name)/\(job.job.nodeIndex)"] = job.job
            }
        }
        let total = old.workflows.reduce(0) { $0 + $1.jobs.count }
        if failedOnly && passed.count == total {
            throw EngineError(.nothingToRun, "Nothing failed in pipeline \(pipelineID); run it again without --failed.")
        }
        do {
            let pipeline = old.pipeline
            // The plan is the old pipeline's, compiled already: the store numbers the new one as it records it.
            var attempt = NewPipeline(
                projectID: pipeline.projectID, number: pipeline.number, uuid: UUID().uuidString.lowercased(),
                revision: pipeline.revision, treeID: pipeline.treeID, branch: pipeline.branch, tag: pipeline.tag,
                trigger: .rerun, source: pipeline.source, configHash: pipeline.configHash, plan: original.plan
            )
            attempt.takesNextNumber = true
            var detail = try store.pipelines.record(attempt)
            let attempts = Dictionary(
                old.workflows.flatMap { workflow in
                    workflow.jobs.map {
                        ("\(workflow.workflow.name)/\($0.job.name)/\($0.job.nodeIndex)", $0.job.attempt)
                    }
                },
                uniquingKeysWith: max
            )
            for workflow in detail.workflows {
                for job in workflow.jobs {
                    let key = "\(workflow.workflow.name)/\(job.job.name)/\(job.job.nodeIndex)"
                    if failedOnly, let earlier = passed[key] {
                        try WorkspaceStore(home: storageDirectory).reuse(
                            workflowID: earlier.workflowID, jobID: earlier.id, as: job.job.id, in: job.job.workflowID
                        )
                        try store.jobs.markReused(
                            jobID: job.job.id,
                            note: "passed in pipeline #\(pipeline.number) (job \(earlier.id)); not run again")
                        try store.jobs.setAttempt(jobID: job.job.id, attempt: earlier.attempt)
                    } else {
                        try store.jobs.setAttempt(jobID: job.job.id, attempt: (attempts[key] ?? 0) + 1)
                    }
                }
            }
            guard let reread = try store.history.pipelineDetail(id: detail.pipeline.id) else {
                throw EngineError(.store, "Pipeline \(detail.pipeline.id) vanished right after it was recorded.")
            }
            detail = reread
            return PreparedPipeline(
                detail: detail, plan: original.plan, warnings: [], source: original.source,
                repositoryPath: original.repositoryPath, isSetup: false, compileRequest: nil
            )
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.store, String(describing: error), cause: error)
        }
    }

    /// Setup pipelines are not resumed or rerun from the store: their continuation needs the compile inputs,
    /// which are not stored. Says what to do instead.
    static func checkResumable(_ pipeline: PreparedPipeline, doing verb: String) throws(EngineError) {
        if pipeline.detail.pipeline.status == .error, !pipeline.detail.pipeline.diagnostics.isEmpty {
            throw EngineError(
                .nothingToRun,
                "Pipeline \(pipeline.detail.pipeline.id) never ran: its config is invalid (`cibox show "
                    + "\(pipeline.detail.pipeline.id)` lists why), so there is nothing to \(verb). Fix the config, "
                    + "commit it and run the pipeline again.")
        }
        guard pipeline.plan.isSetup == true else { return }
        throw EngineError(
            .nothingToRun,
            "Pipeline \(pipeline.detail.pipeline.id) comes from a setup config; cibox cannot \(verb) it from history. "
                + "Run `cibox run` again for the same commit."
        )
    }
}

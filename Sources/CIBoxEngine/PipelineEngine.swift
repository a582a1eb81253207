// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
package import CIBoxExecutor
import CIBoxGit
package import CIBoxModel
import CIBoxPlanner
package import CIBoxScheduler
package import CIBoxStore
import Foundation

/// A pipeline that is recorded and ready to run.
package struct PreparedPipeline: Sendable {
    /// The recorded pipeline, with its workflows, job runs and steps.
    package var detail: PipelineDetail
    /// Its plan.
    package var plan: Plan
    /// Warnings from compiling the config.
    package var warnings: [Diagnostic]
    /// How `checkout` gets the source.
    let source: GitSourceCheckout
    /// The repository's path.
    let repositoryPath: String
}

/// The composition root of one pipeline's life: source → compile → plan → record → schedule → run.
/// Used by `cibox run` today and by the daemon and the pre-push gate later.
package final class PipelineEngine: Sendable {
    /// The state folder.
    package let home: String
    /// The history.
    package let store: PipelineStore
    /// Where jobs run.
    package let executor: any Executor
    /// Job slots shared by every pipeline of this process.
    package let slots: SlotPool

    /// Makes an engine over `store`.
    /// - Parameters:
    ///   - concurrency: how many job runs may run at once.
    package init(home: String, store: PipelineStore, executor: any Executor = LocalExecutor(), concurrency: Int) {
        self.home = home
        self.store = store
        self.executor = executor
        self.slots = SlotPool(capacity: concurrency)
    }

    /// Runs a prepared pipeline to its end and returns its status.
    /// - Parameters:
    ///   - observers: told about every event after it is stored.
    ///   - keepsWorkDirectories: keep job folders for inspection.
    /// - Throws: ``EngineError`` `store` when events could not be saved (the jobs still ran).
    package func run(
        _ prepared: PreparedPipeline, observers: [any PipelineEventSink] = [], keepsWorkDirectories: Bool = false
    ) async throws(EngineError) -> PipelineStatus {
        let storeSink = StoreEventSink(store: store)
        let driver = PipelineDriver(executor: executor, slots: slots, sink: EventFanout(sinks: [storeSink] + observers))
        let pipeline = prepared.detail.pipeline
        let home = self.home
        let store = self.store
        let environment = ProcessInfo.processInfo.environment
        let workflowNames = Dictionary(
            uniqueKeysWithValues: prepared.detail.workflows.map { ($0.workflow.id, $0.workflow.name) }
        )
        let status = await driver.run(prepared.detail, plan: prepared.plan) { job, jobPlan in
            JobRunRequest(
                jobID: job.id, jobName: job.name, workflowID: job.workflowID,
                workflowName: workflowNames[job.workflowID] ?? "",
                pipelineID: pipeline.id, pipelineNumber: pipeline.number, projectName: pipeline.projectName,
                repositoryPath: prepared.repositoryPath, revision: pipeline.revision, branch: pipeline.branch,
                tag: pipeline.tag, nodeIndex: job.nodeIndex, parallelism: job.parallelism,
                spec: jobPlan.spec ?? JobSpec(definitionName: job.name, steps: []),
                workDirectory: "\(home)/work/\(job.id)", logDirectory: store.logDirectory(jobID: job.id),
                source: prepared.source, inheritedEnvironment: environment,
                keepsWorkDirectory: keepsWorkDirectories
            )
        }
        if let failure = storeSink.errors.first {
            throw EngineError(.store, "The pipeline ran, but its history could not be saved completely: \(failure)")
        }
        return status
    }
}

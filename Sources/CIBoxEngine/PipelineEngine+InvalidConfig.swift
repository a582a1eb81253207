// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation

extension PipelineEngine {
    /// Records pipeline `number` of `project` as `error`, with the message and diagnostics of `error` (an invalid
    /// config), as CircleCI shows a push whose config it cannot compile: the failure is in the history, the report
    /// and the notifications, not only on one terminal.
    /// - Returns: `error` with ``EngineError/pipeline`` set, or nil when another process took the number (the
    ///   caller tries the next one).
    /// - Throws: ``EngineError`` `store` when the pipeline cannot be recorded.
    func recordInvalidConfig(
        _ error: EngineError, project: Project, number: Int, source: ResolvedSource, options: RunOptions
    ) throws(EngineError) -> EngineError? {
        var new = NewPipeline(
            projectID: project.id, number: number, uuid: UUID().uuidString.lowercased(), revision: source.revision,
            treeID: source.treeID, branch: source.branch, tag: source.tag, trigger: options.trigger,
            source: source.kind, configHash: "", plan: Plan(version: "", workflows: [])
        )
        new.seenRef = options.seenRef
        new.failure = (error.message, error.diagnostics)
        let detail: PipelineDetail
        do {
            detail = try store.pipelines.record(new)
        } catch  where error.code == .conflict {
            return nil
        } catch {
            throw EngineError(.store, error.description, cause: error)
        }
        reportUpdater?.request(pipelineID: detail.pipeline.id)
        var recorded = error
        recorded.pipeline = detail.pipeline
        return recorded
    }

    /// Waits until the report pages asked for so far are written (those of a pipeline recorded as `error`).
    package func flushReport() async {
        await reportUpdater?.flush()
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation

extension PipelineEngine {
    /// The folder of job run `jobID` (its `HOME`), removed when the job ends unless asked to keep it.
    func workDirectory(jobID: Int64) -> String {
        "\(home)/work/\(jobID)"
    }

    /// Ends what a crash left of pipelines that recovery marked interrupted: removes the folders of their
    /// interrupted job runs (nobody else will, and each crash would leave them on the disk) and rewrites their
    /// report pages (which still show them running), returning once the pages are written.
    package func settleRecovered(pipelineIDs: [Int64]) async {
        for pipelineID in pipelineIDs {
            guard let detail = try? store.history.pipelineDetail(id: pipelineID) else { continue }
            let jobs = detail.workflows.flatMap(\.jobs).map(\.job).filter { $0.status == .interrupted }
            for job in jobs { FolderTree.remove(workDirectory(jobID: job.id)) }
            reportUpdater?.request(pipelineID: pipelineID)
        }
        if !pipelineIDs.isEmpty { await reportUpdater?.flush() }
    }

    /// Ends pipeline `pipelineID` as `error` with `reason` (stored and shown with it): cibox could not run it on.
    /// - Throws: ``EngineError`` `store` when the history cannot be written.
    package func endAsError(pipelineID: Int64, reason: String) throws(EngineError) {
        do {
            try store.pipelines.setPipeline(pipelineID, status: .error, finishedAt: clocks.wall(), errorMessage: reason)
        } catch {
            throw EngineError(.store, error.description, cause: error)
        }
    }
}

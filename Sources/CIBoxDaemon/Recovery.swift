// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxEngine
package import CIBoxExecutor
import CIBoxModel
import CIBoxStore
import Foundation

/// What a daemon does at start after a crash of an earlier cibox (`kill -9`, a power cut).
package enum Recovery {
    /// Marks the pipelines whose owner is gone as interrupted and kills what their jobs left running.
    /// - Returns: the pipelines it marked.
    package static func recover(engine: PipelineEngine, cgroups: CgroupManager?) throws(EngineError) -> [Int64] {
        let store = engine.store
        let orphans: [Int64]
        do {
            orphans = try store.orphanedPipelines()
        } catch {
            throw EngineError(.store, error.message)
        }
        for pipelineID in orphans {
            do {
                let jobs = try store.markInterrupted(pipelineID: pipelineID)
                try store.refreshLogSizes(jobIDs: jobs)
                for group in cgroups?.leftoverGroups(stateDirectory: engine.home, jobIDs: jobs) ?? [] {
                    group.killAll()
                    group.remove()
                }
            } catch {
                throw EngineError(.store, error.message)
            }
        }
        return orphans
    }
}

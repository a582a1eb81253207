// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxContainers
package import CIBoxExecutor
package import CIBoxModel
package import CIBoxSlurm
import CIBoxStore
import Foundation

/// What the daemon does at start, and what a command that runs a pipeline does first, after a crash of an earlier
/// cibox (`kill -9`, a power cut): the engine owns the pipeline lifecycle, recovery included.
package enum Recovery {
    /// What recovery did.
    package struct Report: Sendable, Equatable {
        /// Pipelines marked interrupted (nothing of them runs any more).
        package var interrupted: [Int64] = []
        /// Pipelines with job runs still alive on a cluster, ready to be run on (``PipelineEngine/resume(pipelineID:)``):
        /// their cluster jobs are attached to again, their other running job runs were marked interrupted.
        package var resumable: [Int64] = []
    }

    /// Finds the pipelines whose owner is gone: those with job runs still alive on Slurm are made ready to run on
    /// (those job runs are attached to again by whoever runs them); the others are marked interrupted and what
    /// their jobs left running on this machine is killed.
    /// - Parameter slurm: how Slurm is asked (its commands by default); used only when `executors.slurm` is set.
    /// - Parameter leaving: pipelines (by trigger) left for the daemon, which settles them itself (and may re-queue them).
    package static func recover(
        engine: PipelineEngine, cgroups: CgroupManager?, slurm: any SlurmClient = SlurmCommandLine(),
        leaving: Set<TriggerKind> = []
    ) async throws(EngineError) -> Report {
        let store = engine.store
        var report = Report()
        do {
            for pipelineID in try store.recovery.orphanedPipelines() {
                if !leaving.isEmpty, let trigger = try store.history.pipelineDetail(id: pipelineID)?.pipeline.trigger,
                    leaving.contains(trigger)
                {
                    continue
                }
                let running = try store.recovery.runningJobs(pipelineID: pipelineID)
                var attachable: [Int64: String] = [:]
                if let settings = engine.settings.slurm, !running.isEmpty {
                    attachable = await SlurmRecovery.attachable(
                        running.map { (jobID: $0.jobID, reference: $0.reference) },
                        sharedDirectory: settings.sharedDirectory, home: engine.home, client: slurm)
                }
                let interruptedJobs: [Int64]
                if attachable.isEmpty {
                    interruptedJobs = try store.recovery.markInterrupted(pipelineID: pipelineID)
                    report.interrupted.append(pipelineID)
                } else {
                    interruptedJobs = try store.recovery.prepareReattach(
                        pipelineID: pipelineID, reattaching: attachable)
                    report.resumable.append(pipelineID)
                }
                try store.recovery.refreshLogSizes(jobIDs: interruptedJobs)
                // Containers first: runc's own cgroups of a container must go before the job's cgroup can.
                await ContainerRecovery.clean(home: engine.home, jobIDs: interruptedJobs)
                for group in cgroups?.leftoverGroups(stateDirectory: engine.home, jobIDs: interruptedJobs) ?? [] {
                    group.killAll()
                    group.remove()
                }
            }
            await ContainerRecovery.cleanEnded(home: engine.home) { ids in
                (try? store.recovery.unfinishedJobs(ids)) ?? Set(ids)
            }
        } catch {
            throw EngineError(.store, error.message, cause: error)
        }
        return report
    }

    /// Recovery for a command that runs a pipeline (`cibox run`, `rerun`, `approve`, `trigger`): the pipelines
    /// whose process died with nobody to notice (a `cibox run` killed with -9 while no daemon ran, or after the
    /// daemon started) are marked interrupted and settled as the daemon does at start. Returns their ids.
    ///
    /// With Slurm set up it leaves them alone: only the daemon re-attaches to cluster jobs that still run.
    /// - Parameter leaving: pipelines (by trigger) left for the daemon (`show` and `pipelines` leave the daemon's
    ///   pushes to it: a daemon restarted with `requeue_interrupted` runs them again).
    package static func settleAbandoned(engine: PipelineEngine, leaving: Set<TriggerKind> = []) async -> [Int64] {
        guard engine.settings.slurm == nil,
            let report = try? await recover(engine: engine, cgroups: engine.cgroups, leaving: leaving),
            !report.interrupted.isEmpty
        else { return [] }
        await engine.settleRecovered(pipelineIDs: report.interrupted)
        return report.interrupted
    }
}

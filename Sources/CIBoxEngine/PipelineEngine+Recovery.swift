// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation

extension PipelineEngine {
    /// The folder of job run `jobID` (its `HOME`), removed when the job ends unless asked to keep it.
    func workDirectory(jobID: Int64) -> String {
        "\(home)/work/\(jobID)"
    }

    /// Settles the pipelines whose process died with nobody to notice (a `cibox run` killed with -9 while no
    /// daemon ran, or after the daemon started): their running job runs become `interrupted`, what they left
    /// running here is killed, their folders go and their report pages are rewritten. Returns their ids.
    ///
    /// With Slurm set up it leaves them alone: the daemon's recovery re-attaches to cluster jobs that still run.
    package func settleAbandoned() async -> [Int64] {
        guard settings.slurm == nil, let orphans = try? store.orphanedPipelines(), !orphans.isEmpty else { return [] }
        var settled: [Int64] = []
        for pipelineID in orphans {
            guard let jobIDs = try? store.markInterrupted(pipelineID: pipelineID) else { continue }
            try? store.refreshLogSizes(jobIDs: jobIDs)
            Self.killLeftovers(jobIDs: jobIDs, home: home, cgroups: cgroups)
            settled.append(pipelineID)
        }
        await settleRecovered(pipelineIDs: settled)
        return settled
    }

    /// Kills and removes the cgroups that job runs `jobIDs` of the state folder `home` left behind.
    package static func killLeftovers(jobIDs: [Int64], home: String, cgroups: CgroupManager?) {
        for group in cgroups?.leftoverGroups(stateDirectory: home, jobIDs: jobIDs) ?? [] {
            group.killAll()
            group.remove()
        }
    }

    /// Ends what a crash left of pipelines that recovery marked interrupted: removes the folders of their
    /// interrupted job runs (nobody else will, and each crash would leave them on the disk) and rewrites their
    /// report pages (which still show them running), returning once the pages are written.
    package func settleRecovered(pipelineIDs: [Int64]) async {
        for pipelineID in pipelineIDs {
            guard let detail = try? store.pipelineDetail(id: pipelineID) else { continue }
            let jobs = detail.workflows.flatMap(\.jobs).map(\.job).filter { $0.status == .interrupted }
            for job in jobs { FolderTree.remove(workDirectory(jobID: job.id)) }
            reportUpdater?.request(pipelineID: pipelineID)
        }
        if !pipelineIDs.isEmpty { await reportUpdater?.flush() }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// What a cibox starting after a crash can still follow on the cluster.
package enum SlurmRecovery {
    /// The job runs among `running` (running when their cibox went away, with the executor reference it recorded)
    /// that a new cibox can attach to, by job run id → reference (`slurm:ID`): those Slurm still knows, those that
    /// ended while cibox was away and left their result in the shared folder, and those cibox submitted but had no
    /// time to record (found by their job name). When Slurm cannot be asked, job runs with a reference are kept:
    /// their follower asks again.
    /// - Parameters:
    ///   - sharedDirectory: `executors.slurm.shared_directory`.
    ///   - home: cibox's state folder (job folder and job names carry its hash).
    package static func attachable(
        _ running: [(jobID: Int64, reference: String?)], sharedDirectory: String, home: String, client: any SlurmClient
    ) async -> [Int64: String] {
        var result: [Int64: String] = [:]
        let referenced = running.compactMap { job in
            SlurmExecutor.jobID(reference: job.reference).map { (job.jobID, $0) }
        }
        if !referenced.isEmpty {
            let states = try? await client.states(of: referenced.map(\.1))
            for (jobID, slurmID) in referenced {
                let folder = SlurmJobFolder(sharedDirectory: sharedDirectory, home: home, jobID: jobID)
                let hasResult = FileManager.default.fileExists(atPath: folder.resultFile)
                if states == nil || states?[slurmID] != nil || hasResult { result[jobID] = "slurm:\(slurmID)" }
            }
        }
        let unreferenced = running.filter { $0.reference == nil }.map(\.jobID)
        guard !unreferenced.isEmpty else { return result }
        let names = Dictionary(
            uniqueKeysWithValues: unreferenced.map { (SlurmSubmission.jobName(home: home, jobID: $0), $0) })
        let found = (try? await client.jobIDs(named: Array(names.keys))) ?? [:]
        for (name, ids) in found {
            guard let jobID = names[name], let newest = ids.last else { continue }
            result[jobID] = "slurm:\(newest)"
        }
        return result
    }
}

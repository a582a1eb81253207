// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxModel
import CIBoxStore
import Foundation

/// `cibox logs JOB_ID --container NAME`: the log of one of a job run's service containers, byte for byte.
///
/// The runner writes it to `<the job run's log folder>/containers/<NAME>.log` (``PipelineStore/containerLogPath(jobID:name:)``).
/// A name is only ever one of the logs that exist, so no name reaches outside that folder.
struct ContainerLog {
    /// The store the job and its logs are in.
    let store: PipelineStore
    /// The job run.
    let job: Job

    /// Prints container `name`'s log; with `follow`, as the job writes it, until the job ends (a container of a job
    /// still running may not have started yet: its log is waited for).
    /// - Throws: ``ExitCodes/cannotRun`` after saying that the job has no container logs, or no container `name`.
    func print(_ name: String, follow: Bool) throws {
        if follow, !job.status.isFinal {
            let follower = LogFollower(store: store, jobID: job.id)
            if follower.follow(file: { store.containerLogNames(jobID: job.id).contains(name) ? path(name) : nil }) {
                return
            }
        }
        let names = store.containerLogNames(jobID: job.id)
        guard !names.isEmpty else {
            throw HistoryAccess.notFound(
                "Job \(job.id) has no container logs: it ran no service containers (the 2nd and later docker: "
                    + "images of a job).")
        }
        guard names.contains(name) else {
            throw HistoryAccess.notFound(
                "Job \(job.id) has no container '\(name)'; its containers are \(names.joined(separator: ", ")).")
        }
        Terminal.output(FileManager.default.contents(atPath: path(name)) ?? Data())
    }

    private func path(_ name: String) -> String {
        store.containerLogPath(jobID: job.id, name: name)
    }
}

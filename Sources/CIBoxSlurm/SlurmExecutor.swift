// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxContainers
package import CIBoxExecutor
package import CIBoxModel
import Foundation
import Synchronization

/// Runs each job run as one Slurm job: writes the job's folder in the shared folder (its request and an sbatch
/// script that runs `cibox agent run-job` on the node), submits it with `sbatch`, then follows it until Slurm says
/// it ended, copying the step logs into cibox's store as they grow and reporting each step's start and end from
/// the files the agent writes.
///
/// Cancelling the calling task cancels the Slurm job (`scancel`) and waits until Slurm says it ended; Slurm's
/// cgroup process tracking leaves nothing of it behind. A request with an ``JobRunRequest/executorReference``
/// (`slurm:ID`, after cibox restarted) attaches to that job instead of submitting a new one.
///
/// Safe to call from many tasks at once; the job states of all of them are fetched together (``SlurmStateBoard``).
package struct SlurmExecutor: Executor {
    /// The cluster's settings.
    package let settings: SlurmSettings
    /// How jobs use their images on the nodes.
    package let containers: ContainerOptions?
    /// cibox's state folder (job folder names carry its hash).
    package let home: String
    /// The `cibox` binary as the nodes see it.
    package let ciboxPath: String
    let client: any SlurmClient
    let board: SlurmStateBoard

    /// Makes an executor.
    /// - Parameters:
    ///   - settings: `executors.slurm` from settings.
    ///   - home: cibox's state folder.
    ///   - ciboxPath: the `cibox` binary on the nodes (`settings.ciboxPath`, else this one).
    ///   - client: how Slurm is asked (its commands on PATH by default).
    /// - Parameter containers: how jobs use their images on the nodes (nil: on the nodes' shells).
    package init(
        settings: SlurmSettings, home: String, ciboxPath: String, containers: ContainerOptions? = nil,
        client: any SlurmClient = SlurmCommandLine()
    ) {
        self.settings = settings
        self.containers = containers
        self.home = home
        self.ciboxPath = ciboxPath
        self.client = client
        self.board = SlurmStateBoard(client: client, maxAge: .milliseconds(Int(settings.pollInterval * 500)))
    }

    /// The Slurm job id in a reference such as `slurm:1234`, or nil when it is not one.
    package static func jobID(reference: String?) -> String? {
        guard let reference, reference.hasPrefix("slurm:") else { return nil }
        let id = String(reference.dropFirst("slurm:".count))
        return id.isEmpty ? nil : id
    }

    /// Submits `request` (or attaches to its job) and follows it to its end; see ``Executor``.
    package func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        let folder = SlurmJobFolder(sharedDirectory: settings.sharedDirectory, home: home, jobID: request.jobID)
        let submittedAt = Date()
        let slurmID: String
        if let attached = Self.jobID(reference: request.executorReference) {
            slurmID = attached
        } else {
            if let failure = request.preflightFailure {
                return await JobResult.notStarted(request, observer: observer, message: failure)
            }
            do throws(SlurmError) {
                let submission = try prepare(folder, for: request)
                slurmID = try await client.submit(scriptPath: folder.scriptFile, arguments: submission.arguments)
            } catch {
                return await JobResult.notStarted(
                    request, observer: observer, message: "Cannot run job run \(request.jobID) on Slurm: \(error)")
            }
            await observer.jobSubmitted(jobID: request.jobID, reference: "slurm:\(slurmID)")
        }
        let canceled = CancelFlag()
        let job = FollowedJob(
            request: request, folder: folder, slurmID: slurmID, submittedAt: submittedAt, observer: observer,
            canceled: canceled)
        // The follower is not cancelled with the caller: after a cancel it must still see the Slurm job end.
        let follower = Task { await follow(job) }
        return await withTaskCancellationHandler {
            await follower.value
        } onCancel: {
            canceled.set()
        }
    }

    /// Writes the job's folder: its request (mode 0600: it holds the job's secrets), the sbatch script, and the
    /// folders the agent writes into; and makes cibox's own log folder for the job.
    /// - Returns: the submission (script and sbatch arguments).
    /// - Throws: ``SlurmError`` `folder` naming the path that could not be written.
    func prepare(_ folder: SlurmJobFolder, for request: JobRunRequest) throws(SlurmError) -> SlurmSubmission {
        guard let origin = request.sourceOrigin else {
            throw SlurmError(.request, "its checkout cannot be described for another machine.")
        }
        let submission = SlurmSubmission(
            request: request, folder: folder, settings: settings, ciboxPath: ciboxPath, home: home)
        var agentRequest = AgentJobRequest(request, origin: origin, folder: folder, agentExecutable: ciboxPath)
        agentRequest.containers = containers
        do {
            // A folder left by a cibox that crashed before it could submit holds nothing of value.
            folder.remove()
            try Folders.make(folder.path, mode: 0o700)
            try Folders.make(folder.logDirectory)
            try Folders.make(folder.stepsDirectory)
            try Folders.make(request.logDirectory)
            let data = try AgentFiles.encode(agentRequest)
            try FileWriter.write(String(decoding: data, as: UTF8.self), to: folder.requestFile, mode: 0o600)
            try FileWriter.write(submission.script, to: folder.scriptFile, mode: 0o755)
        } catch {
            throw SlurmError(
                .folder,
                "cannot write the job's folder '\(folder.path)': \(error.localizedDescription). Check that "
                    + "executors.slurm.shared_directory exists and that cibox may write there.")
        }
        return submission
    }
}

/// One job run being followed, and what its follower needs.
struct FollowedJob: Sendable {
    let request: JobRunRequest
    let folder: SlurmJobFolder
    let slurmID: String
    let submittedAt: Date
    let observer: any JobObserver
    let canceled: CancelFlag
}

/// Set once when the job run is cancelled; read by its follower.
final class CancelFlag: Sendable {
    private let value = Mutex(false)

    /// Marks the job run cancelled.
    func set() {
        value.withLock { $0 = true }
    }

    /// Whether it was cancelled.
    var isSet: Bool { value.withLock { $0 } }
}

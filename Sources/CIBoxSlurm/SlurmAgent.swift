// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
package import CIBoxExecutor
import CIBoxModel
import Foundation

/// The node's side of a job run on Slurm (`cibox agent run-job --folder DIR`, run by the sbatch script): reads the
/// request in the job's folder and runs its steps with cibox's own runner, exactly as the local executor does, but
/// in the cgroups Slurm made for the job instead of one of its own; writes each step's log, start and end, and the
/// job's result into the folder, where cibox reads them.
package enum SlurmAgent {
    /// Runs the job run of `folder` and writes its result there.
    /// - Parameters:
    ///   - makeSource: the `checkout` step for an origin (libgit2, from the repository's path on this node).
    ///   - environment: this process's environment (PATH, locale, … are inherited as on the local executor).
    ///   - enclosing: Slurm's cgroup of the job, watched for CPU, memory and out-of-memory kills.
    /// - Returns: the result (also in `result.json`).
    package static func run(
        folder: SlurmJobFolder, makeSource: @Sendable (SourceOrigin) -> any SourceCheckout,
        environment: [String: String], enclosing: EnclosingCgroup?
    ) async -> JobResult {
        let result: JobResult
        switch readRequest(folder) {
        case .failure(let error):
            let now = Date()
            result = JobResult(
                status: .failed, failureReason: .infrastructure, failureMessage: error.message, startedAt: now,
                finishedAt: now, steps: [])
        case .success(let agentRequest):
            let request = agentRequest.runRequest(
                folder: folder, source: makeSource(agentRequest.origin), environment: environment)
            try? Folders.make(folder.logDirectory)
            try? Folders.make(folder.stepsDirectory)
            // Jobs with images run in them on the node too, the image store in the shared folder.
            let sandboxes =
                agentRequest.containers?.provider(
                    home: agentRequest.storageDirectory, helper: agentRequest.agentExecutable ?? SandboxAgent.cibox
                ) { FileHandle.standardError.write(Data("cibox agent: \($0)\n".utf8)) } ?? HostSandboxProvider()
            let executor = LocalExecutor(cgroups: nil, enclosing: enclosing, sandboxes: sandboxes)
            result = await executor.run(request, observer: AgentStepWriter(folder: folder))
            await ContainerCleanups.shared.drain()
        }
        do {
            let data = try AgentFiles.encode(result)
            try FileWriter.replace(String(decoding: data, as: UTF8.self), at: folder.resultFile)
        } catch {
            FileHandle.standardError.write(Data("cibox agent: cannot write '\(folder.resultFile)': \(error)\n".utf8))
        }
        return result
    }

    /// The request of `folder`, or why it cannot be used.
    static func readRequest(_ folder: SlurmJobFolder) -> Result<AgentJobRequest, SlurmError> {
        guard let data = FileManager.default.contents(atPath: folder.requestFile) else {
            return .failure(
                SlurmError(
                    .request,
                    "The agent cannot read '\(folder.requestFile)': is the shared folder mounted at the same path on "
                        + "this node?"))
        }
        struct Format: Decodable { var format: Int }
        let format = (try? JSONDecoder().decode(Format.self, from: data))?.format
        guard format == AgentJobRequest.currentFormat else {
            return .failure(
                SlurmError(
                    .request,
                    "'\(folder.requestFile)' is of request format \(format.map(String.init) ?? "unknown"); this cibox "
                        + "agent reads format \(AgentJobRequest.currentFormat). Install the same cibox on the nodes "
                        + "as on the machine that submits (executors.slurm.cibox)."))
        }
        do {
            return .success(try JSONDecoder().decode(AgentJobRequest.self, from: data))
        } catch {
            return .failure(SlurmError(.request, "'\(folder.requestFile)' cannot be read: \(error)"))
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxContainers
package import CIBoxExecutor
package import CIBoxModel
package import Foundation

/// A job run request as the agent on a cluster node reads it (`request.json` in the job's folder): everything of a
/// ``JobRunRequest`` that can be written down, with the checkout as a ``SourceOrigin`` and the paths of the
/// shared folder.
package struct AgentJobRequest: Codable, Sendable, Equatable {
    /// The version of this format; an agent refuses a request of another (an older cibox on the nodes).
    package var format = AgentJobRequest.currentFormat
    /// The job run's id (`CIRCLE_BUILD_NUM`).
    package var jobID: Int64
    /// The job's name in its workflow (`CIRCLE_JOB`).
    package var jobName: String
    /// The workflow's id.
    package var workflowID: Int64
    /// The workflow's name.
    package var workflowName: String
    /// The pipeline's id.
    package var pipelineID: Int64
    /// The pipeline's per-project number.
    package var pipelineNumber: Int
    /// The project's name.
    package var projectName: String
    /// The project's id (caches are per project).
    package var projectID: Int64
    /// The project's repository path (the nodes see it at the same path).
    package var repositoryPath: String
    /// The commit.
    package var revision: String
    /// The branch, if any.
    package var branch: String?
    /// The tag, if any.
    package var tag: String?
    /// This run's node index.
    package var nodeIndex: Int
    /// The job's parallelism.
    package var parallelism: Int
    /// What to run.
    package var spec: JobSpec
    /// Where the checkout comes from.
    package var origin: SourceOrigin
    /// The job run's own folder on the shared file system.
    package var workDirectory: String
    /// Whether to keep the job's folder after it ends.
    package var keepsWorkDirectory: Bool
    /// The default `no_output_timeout` in seconds.
    package var noOutputTimeout: Double
    /// The job run's time limit in seconds.
    package var timeLimit: Double
    /// Seconds between SIGTERM and SIGKILL when a step is stopped.
    package var killGrace: Double
    /// The `cibox` binary on the nodes (for the job's `circleci` and `circleci-agent` commands).
    package var agentExecutable: String?
    /// Variables for the agent commands (`CIBOX_HOME`, …).
    package var agentEnvironment: [String: String]
    /// The job run's limits (for the out-of-memory message; Slurm enforces them).
    package var limits: ResourceLimits?
    /// The resource class the limits come from.
    package var resourceClass: String
    /// Where caches, workspaces and artifacts live (the shared folder).
    package var storageDirectory: String
    /// The project's and the contexts' variables (masked in logs).
    package var secretEnvironment: [EnvironmentVariable]
    /// Values to mask in logs.
    package var secrets: [String]
    /// When set, the job fails at once with this message.
    package var preflightFailure: String?
    /// The job runs whose workspace layers apply, in order.
    package var upstreamJobIDs: [Int64]
    /// ``JobRunRequest/echoesCommands`` (absent in a request of an older cibox: false).
    package var echoesCommands: Bool?
    /// The user and group the job's processes run as, when the agent runs as root.
    package var runAsUser: UInt32?
    package var runAsGroup: UInt32?
    /// How the job uses its images on the node (nil: on the node's shell).
    package var containers: ContainerOptions?
    /// ``JobRunRequest/imageDigests``: the images cibox pulled (or found) before submitting (absent in a request
    /// of an older cibox: looked up on the node).
    package var imageDigests: [String: String]?

    /// The format this cibox writes and reads.
    package static let currentFormat = 1

    /// The written-down form of `request`, whose checkout is `origin`, run in `folder`.
    package init(_ request: JobRunRequest, origin: SourceOrigin, folder: SlurmJobFolder, agentExecutable: String?) {
        jobID = request.jobID
        jobName = request.jobName
        workflowID = request.workflowID
        workflowName = request.workflowName
        pipelineID = request.pipelineID
        pipelineNumber = request.pipelineNumber
        projectName = request.projectName
        projectID = request.projectID
        repositoryPath = request.repositoryPath
        revision = request.revision
        branch = request.branch
        tag = request.tag
        nodeIndex = request.nodeIndex
        parallelism = request.parallelism
        spec = request.spec
        self.origin = origin
        workDirectory = folder.workDirectory
        keepsWorkDirectory = request.keepsWorkDirectory
        noOutputTimeout = request.noOutputTimeout
        timeLimit = request.timeLimit
        killGrace = request.killGrace
        self.agentExecutable = request.agentExecutable == nil ? nil : agentExecutable
        agentEnvironment = request.agentEnvironment
        limits = request.limits
        resourceClass = request.resourceClass
        storageDirectory = request.storageDirectory ?? request.stateDirectory
        secretEnvironment = request.secretEnvironment
        secrets = request.secrets
        preflightFailure = request.preflightFailure
        upstreamJobIDs = request.upstreamJobIDs
        echoesCommands = request.echoesCommands
        runAsUser = request.runAs?.uid
        runAsGroup = request.runAs?.gid
        imageDigests = request.imageDigests.isEmpty ? nil : request.imageDigests
    }

    /// The request to run on this node: logs into `folder`, the checkout through `source`, and this process's
    /// environment as the inherited one (as the local executor inherits cibox's).
    package func runRequest(
        folder: SlurmJobFolder, source: any SourceCheckout, environment: [String: String]
    ) -> JobRunRequest {
        var request = JobRunRequest(
            jobID: jobID, jobName: jobName, workflowID: workflowID, workflowName: workflowName, pipelineID: pipelineID,
            pipelineNumber: pipelineNumber, projectName: projectName, repositoryPath: repositoryPath,
            revision: revision, branch: branch, tag: tag, nodeIndex: nodeIndex, parallelism: parallelism, spec: spec,
            workDirectory: workDirectory, logDirectory: folder.logDirectory, source: source,
            inheritedEnvironment: environment, keepsWorkDirectory: keepsWorkDirectory, noOutputTimeout: noOutputTimeout
        )
        request.sourceOrigin = origin
        request.timeLimit = timeLimit
        request.killGrace = killGrace
        request.agentExecutable = agentExecutable
        request.agentEnvironment = agentEnvironment
        request.imageDigests = imageDigests ?? [:]
        request.limits = limits
        request.resourceClass = resourceClass
        request.stateDirectory = storageDirectory
        request.storageDirectory = storageDirectory
        request.projectID = projectID
        request.secretEnvironment = secretEnvironment
        request.secrets = secrets
        request.preflightFailure = preflightFailure
        request.upstreamJobIDs = upstreamJobIDs
        request.echoesCommands = echoesCommands ?? false
        if let runAsUser, let runAsGroup { request.runAs = (uid: runAsUser, gid: runAsGroup) }
        return request
    }
}

/// How cibox and its agent write the job folder's JSON files (the same both sides, so dates round-trip exactly).
package enum AgentFiles {
    /// The encoder.
    package static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// The value in the file at `path`, or nil when it is missing or cannot be read as one.
    package static func read<Value: Decodable>(_ type: Value.Type, from path: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}

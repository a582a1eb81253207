// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import Foundation

/// A repository cibox knows.
package struct Project: Codable, Sendable, Equatable {
    /// Row id.
    package var id: Int64
    /// Short unique name (the repository's folder name by default).
    package var name: String
    /// Absolute path of the work tree or bare repository.
    package var path: String
    /// When cibox first saw it.
    package var createdAt: Date

    /// Makes a project value.
    package init(id: Int64, name: String, path: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.path = path
        self.createdAt = createdAt
    }
}

/// Where the files of a pipeline came from.
package enum SourceKind: String, Codable, Sendable {
    /// The commit, exactly.
    case commit
    /// The work tree on disk, uncommitted changes included (`cibox run --working-tree`).
    case workingTree = "working-tree"
}

/// One trigger of the config for one commit.
package struct Pipeline: Codable, Sendable, Equatable {
    package var id: Int64
    package var projectID: Int64
    /// The project's name (joined for display).
    package var projectName: String
    /// Per-project number, from 1.
    package var number: Int
    /// CircleCI's `pipeline.id`: a UUID.
    package var uuid: String
    /// The commit (40 hex) and its tree id.
    package var revision: String
    package var treeID: String
    package var branch: String?
    package var tag: String?
    package var trigger: TriggerKind
    package var source: SourceKind
    package var status: PipelineStatus
    /// Hash of the compiled plan (same config, same plan).
    package var configHash: String
    /// Why the pipeline is `error`, if it is.
    package var errorMessage: String?
    /// The config's errors (and warnings) when the pipeline is `error` because its config is invalid.
    package var diagnostics: [Diagnostic]
    package var createdAt: Date
    package var startedAt: Date?
    package var finishedAt: Date?

    /// Makes a pipeline value.
    package init(
        id: Int64, projectID: Int64, projectName: String, number: Int, uuid: String, revision: String, treeID: String,
        branch: String?, tag: String?, trigger: TriggerKind, source: SourceKind, status: PipelineStatus,
        configHash: String, errorMessage: String? = nil, diagnostics: [Diagnostic] = [], createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.projectName = projectName
        self.number = number
        self.uuid = uuid
        self.revision = revision
        self.treeID = treeID
        self.branch = branch
        self.tag = tag
        self.trigger = trigger
        self.source = source
        self.status = status
        self.configHash = configHash
        self.errorMessage = errorMessage
        self.diagnostics = diagnostics
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

extension Pipeline {
    /// What the pipeline ran, for people: the revision, or `working tree (uncommitted changes) on REVISION` for a
    /// `cibox run --working-tree` run, whose files are not those of the commit.
    /// - Parameter length: how many characters of the revision to show (all 40 by default).
    package func sourceText(revisionLength length: Int = 40) -> String {
        let shown = String(revision.prefix(length))
        return source == .workingTree ? "working tree (uncommitted changes) on \(shown)" : shown
    }
}

/// A workflow of a pipeline.
package struct Workflow: Codable, Sendable, Equatable {
    package var id: Int64
    package var pipelineID: Int64
    package var name: String
    /// Its position in the config.
    package var position: Int
    package var status: WorkflowStatus
    package var startedAt: Date?
    package var finishedAt: Date?

    /// Makes a workflow value.
    package init(
        id: Int64, pipelineID: Int64, name: String, position: Int, status: WorkflowStatus,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.pipelineID = pipelineID
        self.name = name
        self.position = position
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// One job run of a workflow (a job with `parallelism: N` has N of them).
package struct Job: Codable, Sendable, Equatable {
    package var id: Int64
    package var workflowID: Int64
    package var pipelineID: Int64
    /// The job's name in its workflow.
    package var name: String
    /// Its position in the workflow's plan.
    package var position: Int
    package var nodeIndex: Int
    package var parallelism: Int
    /// 1 for the first attempt; reruns add attempts.
    package var attempt: Int
    package var status: JobStatus
    /// The executor label (`docker cimg/base:2024.01`).
    package var executor: String
    package var resourceClass: String?
    package var exitCode: Int?
    package var failureReason: FailureReason?
    package var failureMessage: String?
    package var startedAt: Date?
    package var finishedAt: Date?
    /// What the job run used and was allowed.
    package var resources: JobResources
    /// When someone asked to cancel it (`cibox cancel`), if they did.
    package var cancelRequestedAt: Date?
    /// What the system that ran it calls it (`slurm:1234`); nil for job runs of this machine.
    package var executorReference: String?
    /// The image it ran in; nil when it ran on the host (or has not run).
    package var image: JobImage?

    /// Makes a job value.
    package init(
        id: Int64, workflowID: Int64, pipelineID: Int64, name: String, position: Int, nodeIndex: Int,
        parallelism: Int, attempt: Int, status: JobStatus, executor: String, resourceClass: String?,
        exitCode: Int? = nil, failureReason: FailureReason? = nil, failureMessage: String? = nil,
        startedAt: Date? = nil, finishedAt: Date? = nil, resources: JobResources = JobResources(),
        cancelRequestedAt: Date? = nil, executorReference: String? = nil, image: JobImage? = nil
    ) {
        self.id = id
        self.workflowID = workflowID
        self.pipelineID = pipelineID
        self.name = name
        self.position = position
        self.nodeIndex = nodeIndex
        self.parallelism = parallelism
        self.attempt = attempt
        self.status = status
        self.executor = executor
        self.resourceClass = resourceClass
        self.exitCode = exitCode
        self.failureReason = failureReason
        self.failureMessage = failureMessage
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.resources = resources
        self.cancelRequestedAt = cancelRequestedAt
        self.executorReference = executorReference
        self.image = image
    }
}

/// The resources of a job run: its isolation, its limits and what it used (nil until known).
package struct JobResources: Codable, Sendable, Equatable {
    /// `cgroup2`, `cgroup1`, `none`, or `slurm` (on a cluster node, in Slurm's cgroups).
    package var isolation: String?
    package var cpuSeconds: Double?
    package var peakMemoryBytes: Int64?
    package var oomKills: Int?
    package var memoryLimitBytes: Int64?
    package var millicoresLimit: Int?
    /// Forks the kernel refused at the job's pids limit, and that limit (from the cgroup's `pids.events`).
    package var pidsLimitHits: Int?
    package var pidsLimit: Int?

    /// Makes a resources value.
    package init(
        isolation: String? = nil, cpuSeconds: Double? = nil, peakMemoryBytes: Int64? = nil, oomKills: Int? = nil,
        memoryLimitBytes: Int64? = nil, millicoresLimit: Int? = nil, pidsLimitHits: Int? = nil, pidsLimit: Int? = nil
    ) {
        self.pidsLimitHits = pidsLimitHits
        self.pidsLimit = pidsLimit
        self.isolation = isolation
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.oomKills = oomKills
        self.memoryLimitBytes = memoryLimitBytes
        self.millicoresLimit = millicoresLimit
    }
}

extension JobResources {
    /// What the kernel refused or killed in the job run, as CircleCI shows it: `pids limit 64 reached (3 times)`,
    /// `a process was killed: out of memory (limit 64 MiB)`. Empty when nothing was.
    package var limitEvents: [String] {
        var events: [String] = []
        if let hits = pidsLimitHits, hits > 0 {
            events.append(
                (pidsLimit.map { "pids limit \($0) reached" } ?? "pids limit reached")
                    + (hits == 1 ? "" : " (\(hits) times)"))
        }
        if let kills = oomKills, kills > 0 {
            events.append(
                (kills == 1 ? "a process was killed" : "\(kills) processes were killed") + ": out of memory"
                    + (memoryLimitBytes.map { " (limit \(ByteCount.format($0)))" } ?? ""))
        }
        return events
    }
}

/// One step of a job run.
package struct Step: Codable, Sendable, Equatable {
    package var id: Int64
    package var jobID: Int64
    /// 0-based position in the job.
    package var index: Int
    package var name: String
    package var status: StepStatus
    package var exitCode: Int?
    /// Bytes in its log file.
    package var logBytes: Int64
    package var startedAt: Date?
    package var finishedAt: Date?

    /// Makes a step value.
    package init(
        id: Int64, jobID: Int64, index: Int, name: String, status: StepStatus, exitCode: Int? = nil,
        logBytes: Int64 = 0, startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.jobID = jobID
        self.index = index
        self.name = name
        self.status = status
        self.exitCode = exitCode
        self.logBytes = logBytes
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A pipeline with all its workflows, job runs and steps, in order.
package struct PipelineDetail: Sendable, Equatable {
    package var pipeline: Pipeline
    package var workflows: [WorkflowDetail]

    /// Makes a detail value.
    package init(pipeline: Pipeline, workflows: [WorkflowDetail]) {
        self.pipeline = pipeline
        self.workflows = workflows
    }
}

/// A workflow with its job runs.
package struct WorkflowDetail: Sendable, Equatable {
    package var workflow: Workflow
    package var jobs: [JobDetail]

    /// Makes a detail value.
    package init(workflow: Workflow, jobs: [JobDetail]) {
        self.workflow = workflow
        self.jobs = jobs
    }
}

/// A job run with its steps.
package struct JobDetail: Sendable, Equatable {
    package var job: Job
    package var steps: [Step]
    /// The counts of the test cases it stored (`store_test_results`); zero when it stored none.
    package var tests = TestCounts()

    /// Makes a detail value.
    package init(job: Job, steps: [Step]) {
        self.job = job
        self.steps = steps
    }
}

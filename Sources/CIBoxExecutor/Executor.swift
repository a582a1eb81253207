// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import Foundation

/// Runs one job run somewhere (local cores today; a cluster later) and reports its steps as they go.
///
/// Lifecycle: `run` is called once per job run and returns when the job run has ended and every process it
/// started has been stopped. Cancelling the calling task cancels the job run: its processes are stopped and
/// the result is `canceled`. Implementations are safe to call from many tasks at once.
/// Errors: none are thrown; a job that cibox could not start ends `failed` with `failure_reason: infrastructure`.
package protocol Executor: Sendable {
    /// Runs `request` and returns its result.
    /// - Parameters:
    ///   - request: what to run.
    ///   - observer: told when each step starts and ends.
    /// - Returns: the job run's result.
    func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult

    /// Told that a pipeline is about to start jobs: a chance to get ready for the first one (see
    /// ``MigrationWarmer``). Does nothing by default.
    func expectJobs()
}

extension Executor {
    /// Does nothing.
    package func expectJobs() {}
}

/// Materialises the pipeline's source into a folder (the `checkout` step).
///
/// Implementations must not change the source repository. They are called from the job's task and may block
/// briefly. Errors are reported to the user in the step's log.
package protocol SourceCheckout: Sendable {
    /// Writes the source into `directory` (absolute; created or empty) and returns a line for the step's log.
    /// - Throws: any error whose description says what went wrong.
    func checkout(into directory: String) throws -> String
}

/// Where a checkout comes from, as a value that can be written down and used on another machine (a cluster node
/// that sees the repository at the same path).
package struct SourceOrigin: Codable, Sendable, Equatable {
    /// The repository's path (work tree or git folder).
    package var repositoryPath: String
    /// The commit to materialise.
    package var revision: String
    /// The branch to create in the checkout, if any.
    package var branch: String?
    /// Whether to copy the work tree's files (uncommitted changes included) instead of the commit.
    package var workingTree: Bool

    /// Makes an origin.
    package init(repositoryPath: String, revision: String, branch: String?, workingTree: Bool) {
        self.repositoryPath = repositoryPath
        self.revision = revision
        self.branch = branch
        self.workingTree = workingTree
    }
}

/// Told about the steps of a job run as they start and end. Called from the job run's task, in order.
package protocol JobObserver: Sendable {
    /// Step `index` of job run `jobID` started at `date`.
    func stepStarted(jobID: Int64, index: Int, at date: Date) async
    /// Step `index` of job run `jobID` ended with `result`.
    func stepFinished(jobID: Int64, index: Int, result: StepResult) async
    /// Job run `jobID` was handed to another system, which knows it as `reference` (`slurm:1234`); cibox keeps
    /// the reference so that a later cibox can find the job again after a crash.
    func jobSubmitted(jobID: Int64, reference: String) async
}

extension JobObserver {
    /// Ignores the reference (observers that only follow steps).
    package func jobSubmitted(jobID: Int64, reference: String) async {}
}

/// Everything a job run needs, fixed before it starts.
package struct JobRunRequest: Sendable {
    /// The job run's id (also `CIRCLE_BUILD_NUM`).
    package var jobID: Int64
    /// The job's name in its workflow (`CIRCLE_JOB`).
    package var jobName: String
    /// The workflow's id and name.
    package var workflowID: Int64
    package var workflowName: String
    /// The pipeline's id and per-project number.
    package var pipelineID: Int64
    package var pipelineNumber: Int
    /// The project's name and repository path.
    package var projectName: String
    package var repositoryPath: String
    /// The commit, and the branch or tag that triggered the pipeline.
    package var revision: String
    package var branch: String?
    package var tag: String?
    /// This run's node index and the job's parallelism.
    package var nodeIndex: Int
    package var parallelism: Int
    /// What to run.
    package var spec: JobSpec
    /// The job run's own folder (`~` and `HOME` of its steps); made by the runner.
    package var workDirectory: String
    /// Where the per-step logs go: `<logDirectory>/<index>.log`.
    package var logDirectory: String
    /// How the `checkout` step gets the source.
    package var source: any SourceCheckout
    /// The same source as a value, for executors that run the job elsewhere; nil when it cannot be written down.
    package var sourceOrigin: SourceOrigin?
    /// Variables inherited from cibox's own environment (`PATH`, locale, …).
    package var inheritedEnvironment: [String: String]
    /// Whether to keep `workDirectory` after the job run (for debugging).
    package var keepsWorkDirectory: Bool
    /// Default `no_output_timeout` in seconds.
    package var noOutputTimeout: Double
    /// The `cibox` binary that the job's `circleci` and `circleci-agent` commands call back (`cibox agent …`);
    /// nil puts no such commands on the job's PATH.
    package var agentExecutable: String?
    /// Variables cibox adds for its agent commands (`CIBOX_HOME`, `CIBOX_CONTINUATION_FILE`, …).
    package var agentEnvironment: [String: String] = [:]
    /// The job run's slot, enforced with cgroups; nil runs it without limits.
    package var limits: ResourceLimits?
    /// The resource class the limits come from (for messages).
    package var resourceClass: String = "medium"
    /// The job run's time limit in seconds (default 5 h).
    package var timeLimit: Double = 5 * 3600
    /// Seconds between SIGTERM and SIGKILL when cibox stops a job.
    package var killGrace: Double = 2
    /// `$CIBOX_HOME`: where caches (`caches/`), workspaces (`workspaces/<workflow>/`) and artifacts
    /// (`artifacts/<job>/`) live.
    package var stateDirectory: String = ""
    /// Where the agent command scripts live: the state folder, or the job's control folder when none is set.
    var agentStateDirectory: String { stateDirectory.isEmpty ? controlDirectory : stateDirectory }
    /// cibox's own folder for the job run, beside its folder (`<work>.cibox`): the steps' scripts, the job's
    /// private `/tmp` and the folders bound into its view. Owned by cibox's user, so that nothing the job does can
    /// make cibox write elsewhere; removed with the job's folder.
    package var controlDirectory: String { workDirectory + ".cibox" }
    /// The project's id (caches are per project, as in CircleCI).
    package var projectID: Int64 = 0
    /// Variables from the project's environment and the job's contexts (after CircleCI's built-ins, before
    /// the job's own `environment`); their values are masked in logs.
    package var secretEnvironment: [EnvironmentVariable] = []
    /// Values to replace with `****` in everything the job prints.
    package var secrets: [String] = []
    /// How many bytes of artifacts the job run may store (`artifacts: { max_size }`, 2 GiB by default).
    package var artifactLimit: Int64 = 2 << 30
    /// When set, the job does not run: it fails at once with this message (a missing context, …).
    package var preflightFailure: String?
    /// Whether a named `run` step (its name is not ``RunAction/defaultName(of:)`` of its command) starts its log
    /// with `#!SHELL` and the command, as CircleCI shows a step (the engine asks for it; a bare request shows only
    /// the output).
    package var echoesCommands = false
    /// The job runs this one depends on, directly or not, in the order their workspace layers apply
    /// (earlier first; later layers win).
    package var upstreamJobIDs: [Int64] = []
    /// The user and group the job's processes run as (cibox must be root); nil keeps cibox's own. The runner
    /// gives the job's folder to that user before the first step.
    package var runAs: (uid: UInt32, gid: UInt32)?
    /// Which executor runs it (an ``ExecutorRouter`` picks by this).
    package var executor = ExecutorKind.local
    /// What another system already calls this job run (`slurm:1234`), when an earlier cibox submitted it and
    /// stopped: the executor attaches to that job instead of starting it again.
    package var executorReference: String?
    /// Where caches (`caches/`), workspaces (`workspaces/<workflow>/`) and artifacts (`artifacts/<job>/`) live;
    /// nil: ``stateDirectory``.
    package var storageDirectory: String?
    /// The manifest digest each `docker:` image (as the config writes it) runs in, fixed before the job run took its
    /// slot (pulled then, when it had to be); an image not here is looked up when the job starts.
    package var imageDigests: [String: String] = [:]
    /// Whether the job run takes a slot of this machine's capacity (false for jobs a cluster runs).
    package var usesLocalSlot: Bool { executor == .local }

    /// Makes a request.
    package init(
        jobID: Int64, jobName: String, workflowID: Int64, workflowName: String, pipelineID: Int64,
        pipelineNumber: Int, projectName: String, repositoryPath: String, revision: String, branch: String?,
        tag: String?, nodeIndex: Int, parallelism: Int, spec: JobSpec, workDirectory: String, logDirectory: String,
        source: any SourceCheckout, inheritedEnvironment: [String: String], keepsWorkDirectory: Bool = false,
        noOutputTimeout: Double = 600
    ) {
        self.jobID = jobID
        self.jobName = jobName
        self.workflowID = workflowID
        self.workflowName = workflowName
        self.pipelineID = pipelineID
        self.pipelineNumber = pipelineNumber
        self.projectName = projectName
        self.repositoryPath = repositoryPath
        self.revision = revision
        self.branch = branch
        self.tag = tag
        self.nodeIndex = nodeIndex
        self.parallelism = parallelism
        self.spec = spec
        self.workDirectory = workDirectory
        self.logDirectory = logDirectory
        self.source = source
        self.inheritedEnvironment = inheritedEnvironment
        self.keepsWorkDirectory = keepsWorkDirectory
        self.noOutputTimeout = noOutputTimeout
    }

    /// The log file of step `index`.
    package func logPath(step index: Int) -> String {
        "\(logDirectory)/\(index).log"
    }
}

/// How one step ended.
package struct StepResult: Codable, Sendable, Equatable {
    /// Its status.
    package var status: StepStatus
    /// The exit code of its command (128 + signal when killed), if it ran one.
    package var exitCode: Int?
    /// Bytes written to its log.
    package var logBytes: Int64
    /// Why it failed, if it did.
    package var failureReason: FailureReason?
    /// When it started and ended (nil when it never ran).
    package var startedAt: Date?
    package var finishedAt: Date?

    /// Makes a step result.
    package init(
        status: StepStatus, exitCode: Int? = nil, logBytes: Int64 = 0, failureReason: FailureReason? = nil,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.status = status
        self.exitCode = exitCode
        self.logBytes = logBytes
        self.failureReason = failureReason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// How a job run ended.
package struct JobResult: Codable, Sendable, Equatable {
    /// `success`, `failed` or `canceled`.
    package var status: JobStatus
    /// The failing step's exit code, if a step failed.
    package var exitCode: Int?
    /// Why it did not succeed.
    package var failureReason: FailureReason?
    /// A sentence for the user when cibox itself failed (infrastructure) or killed the job.
    package var failureMessage: String?
    /// When the job run started and ended.
    package var startedAt: Date
    package var finishedAt: Date
    /// One result per step, in order.
    package var steps: [StepResult]
    /// What the job run used.
    package var usage = ResourceUsage()
    /// How it was isolated.
    package var isolation = IsolationMode.none
    /// The limits it ran under, if any.
    package var limits: ResourceLimits?
    /// The resource class it ran as.
    package var resourceClass: String?
    /// The test cases its `store_test_results` steps read, in step order.
    package var testCases: [TestCase] = []
    /// The image it ran in; nil when it ran on the host.
    package var image: JobImage?

    /// Makes a job result.
    package init(
        status: JobStatus, exitCode: Int? = nil, failureReason: FailureReason? = nil, failureMessage: String? = nil,
        startedAt: Date, finishedAt: Date, steps: [StepResult]
    ) {
        self.status = status
        self.exitCode = exitCode
        self.failureReason = failureReason
        self.failureMessage = failureMessage
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.steps = steps
    }
}

extension JobResult {
    /// A job run that could not start its steps: every step is `not_run` (and `observer` is told so), the job fails
    /// as `infrastructure` with `message`.
    package static func notStarted(
        _ request: JobRunRequest, observer: any JobObserver, message: String, startedAt: Date = Date(),
        now: @Sendable () -> Date = { Date() }
    ) async -> JobResult {
        var steps: [StepResult] = []
        for index in request.spec.steps.indices {
            let skipped = StepResult(status: .notRun)
            steps.append(skipped)
            await observer.stepFinished(jobID: request.jobID, index: index, result: skipped)
        }
        return JobResult(
            status: .failed, failureReason: .infrastructure, failureMessage: message, startedAt: startedAt,
            finishedAt: now(), steps: steps
        )
    }
}

extension JobRunRequest {
    /// The user id and primary group id of the user `name` (for ``runAs``, from `run_as` or `--run-as`), or nil
    /// when there is no such user.
    package static func user(named name: String) -> (uid: UInt32, gid: UInt32)? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return (uid: entry.pw_uid, gid: entry.pw_gid)
    }
}

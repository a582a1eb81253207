// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
import CIBoxConfig
import CIBoxContainers
import CIBoxDockerEngine
package import CIBoxExecutor
import CIBoxGit
package import CIBoxModel
import CIBoxPlanner
import CIBoxRegistry
package import CIBoxReport
package import CIBoxScheduler
import CIBoxSettings
import CIBoxSlurm
package import CIBoxStore
import Foundation
import Synchronization

/// A pipeline that is recorded and ready to run.
package struct PreparedPipeline: Sendable {
    /// The recorded pipeline, with its workflows, job runs and steps.
    package var detail: PipelineDetail
    /// Its plan.
    package var plan: Plan
    /// Warnings from compiling the config.
    package var warnings: [Diagnostic]
    /// How `checkout` gets the source.
    let source: GitSourceCheckout
    /// The repository's path.
    let repositoryPath: String
    /// Whether the config is a setup config (`setup: true`) whose workflow may continue the pipeline.
    package var isSetup: Bool
    /// How the config was compiled (a continuation compiles the same way, with its own text and parameters);
    /// nil for a pipeline resumed from the store.
    let compileRequest: CompileRequest?
}

/// What ``PipelineEngine/prepareUnlessVerified(_:)`` found: a pipeline to run, or the one that already verified
/// the same tree and config.
package enum Preparation: Sendable {
    /// A new pipeline, recorded and ready to run.
    case prepared(PreparedPipeline)
    /// A pipeline that passed on the same tree with the same compiled plan; nothing was recorded.
    case verified(Pipeline)
}

/// The composition root of one pipeline's life: source → compile → plan → record → schedule → run.
/// Used by `cibox run` today and by the daemon and the pre-push gate later.
package final class PipelineEngine: Sendable {
    /// The state folder.
    package let home: String
    /// The history.
    package let store: PipelineStore
    /// `settings.yml`.
    package let settings: Settings
    /// Where jobs run.
    package let executor: any Executor
    /// The cgroups job runs are made in here (nil: none).
    package let cgroups: CgroupManager?
    /// Job slots shared by every pipeline of this process, taken from the home's ledger that every cibox process
    /// on it shares.
    package let slots: SlotPool
    /// What the slots share.
    package let capacity: Capacity
    /// The `cibox` binary jobs call back for `circleci`/`circleci-agent` commands.
    let agentExecutable: String?
    /// Where warnings for the user go (once each).
    let warn: @Sendable (String) -> Void
    /// Pulls jobs' images before they take a slot; nil when images are not used.
    let preparer: (any JobPreparer)?
    /// Monotonic time for every interval and timeout, wall time for timestamps.
    package let clocks: Clocks
    /// How long events the database could not take are tried again after a pipeline ran.
    package let recordingRetryLimit: Duration
    /// Rewrites the HTML report's pages as pipelines run; nil when settings turn the report off.
    package let reportUpdater: ReportUpdater?
    private let warned = Mutex<Set<String>>([])

    /// Makes an engine over `store`.
    /// - Parameters:
    ///   - settings: capacity, resource classes and time limits.
    ///   - cgroups: where job cgroups are made (nil: none); ignored when settings turn cgroups off.
    ///   - executor: runs the jobs (default: a ``LocalExecutor`` with `cgroups`).
    ///   - agentExecutable: the `cibox` binary for the agent commands inside jobs.
    ///   - clocks: monotonic for intervals and timeouts, wall for timestamps (the system's by default).
    ///   - warn: told each distinct warning once.
    ///   - say: told what cibox does for the jobs that the user may want to follow (image pulls, a line at a time).
    ///   - recordingRetryLimit: how long a pipeline's events that the database could not take are tried again
    ///     after it ran (the daemon waits out a long outage; a command gives up sooner).
    package init(
        home: String, store: PipelineStore, settings: Settings = Settings(), cgroups: CgroupManager? = nil,
        executor: (any Executor)? = nil, agentExecutable: String? = nil, clocks: Clocks = .system,
        warn: @escaping @Sendable (String) -> Void = { _ in }, say: @escaping @Sendable (String) -> Void = { _ in },
        recordingRetryLimit: Duration = .seconds(30)
    ) {
        self.recordingRetryLimit = recordingRetryLimit
        self.home = home
        self.clocks = clocks
        self.store = store
        self.settings = settings
        self.capacity = settings.capacity ?? SettingsFile.machineCapacity
        self.executor =
            executor
            ?? Self.makeExecutor(
                home: home, settings: settings, cgroups: settings.usesCgroups ? cgroups : nil,
                agentExecutable: agentExecutable, clocks: clocks, warn: warn)
        // Every cibox process on the home takes its slots from the store's ledger, so that together they never
        // use more than the capacity.
        let ledger: any SlotLedgerAccess =
            ProcessIdentity.current.map { SharedSlotLedger(ledger: store.slots, owner: $0) } ?? LocalSlotLedger()
        self.slots = SlotPool(capacity: capacity, ledger: ledger)
        self.agentExecutable = agentExecutable
        self.warn = warn
        self.preparer = Self.containerOptions(home: home, settings: settings).preparer(say: say)
        self.reportUpdater = Self.makeReportUpdater(home: home, store: store, settings: settings, warn: warn)
        self.cgroups = settings.usesCgroups ? cgroups : nil
    }

    /// This machine's executor, and Slurm's when `executors.slurm` is set, behind one router.
    static func makeExecutor(
        home: String, settings: Settings, cgroups: CgroupManager?, agentExecutable: String?, clocks: Clocks,
        warn: @escaping @Sendable (String) -> Void
    ) -> any Executor {
        let containers = containerOptions(home: home, settings: settings)
        let sandboxes = containers.provider(home: home, helper: agentExecutable ?? SandboxAgent.cibox, warn: warn)
        let engines = PodmanEngines(
            policy: settings.images.dockerEngine, home: home, storage: settings.storageDirectory(home: home),
            network: settings.images.network)
        let local = LocalExecutor(
            cgroups: cgroups, sandboxes: sandboxes, clocks: clocks, engines: engines, warn: warn)
        guard let slurm = settings.slurm else { return local }
        let cibox = slurm.ciboxPath ?? agentExecutable ?? "cibox"
        return ExecutorRouter([
            .local: local,
            .slurm: SlurmExecutor(settings: slurm, home: home, ciboxPath: cibox, containers: containers),
        ])
    }

    /// The `images:` settings as the container runner takes them; the image store lives in the storage folder
    /// (the Slurm shared folder when one is set up, so nodes find it).
    static func containerOptions(home: String, settings: Settings) -> ContainerOptions {
        let images = settings.images
        let mode: ContainerSandboxProvider.Mode =
            switch images.mode {
            case .auto: .auto
            case .required: .required
            case .host: .host
            }
        return ContainerOptions(
            mode: mode, aliases: images.aliases, network: images.network == .host ? .host : .loopback,
            storeFolder: settings.storageDirectory(home: home), registry: RegistryOptions(settings: images, home: home))
    }

    /// Where caches, workspaces and artifacts live: the Slurm shared folder when one is set up, else the home.
    package var storageDirectory: String { settings.storageDirectory(home: home) }

    /// Passes `message` to `warn` unless it was said before.
    func warnOnce(_ message: String) {
        let isNew = warned.withLock { $0.insert(message).inserted }
        if isNew { warn(message) }
    }

    /// Runs a prepared pipeline to its end and returns its status.
    /// - Parameters:
    ///   - observers: told about every event after it is stored.
    ///   - keepsWorkDirectories: keep job folders for inspection.
    /// - Throws: ``EngineError`` `store` when events could not be saved (the jobs still ran).
    package func run(
        _ prepared: PreparedPipeline, observers: [any PipelineEventSink] = [], keepsWorkDirectories: Bool = false
    ) async throws(EngineError) -> PipelineStatus {
        if let owner = ProcessIdentity.current {
            try? store.recovery.claim(pipelineID: prepared.detail.pipeline.id, owner: owner)
        }
        let storeSink = StoreEventSink(store: store)
        let driver = PipelineDriver(
            executor: executor, slots: slots,
            sink: EventFanout(sinks: [storeSink] + observers + reportSinks(pipelineID: prepared.detail.pipeline.id)),
            preparer: preparer)
        let pipelineID = prepared.detail.pipeline.id
        let (store, clocks) = (store, clocks)
        let control = PipelineControl()
        var status = await withCompanion({ await Self.forwardCancelRequests(pipelineID, store, control, clocks) }) {
            await driver.run(prepared.detail, plan: prepared.plan, control: control) { job, jobPlan in
                self.request(for: job, plan: jobPlan, prepared: prepared, keepsWorkDirectories: keepsWorkDirectories)
            }
        }
        if prepared.isSetup, status == .success,
            let continuation = Continuation.request(home: home, pipelineID: pipelineID), continuation.finishes != true
        {
            // The first run finished its control; the continuation gets its own, and its own poller.
            let continuationControl = PipelineControl()
            status = await withCompanion({
                await Self.forwardCancelRequests(pipelineID, store, continuationControl, clocks)
            }) {
                await continuePipeline(
                    prepared, with: continuation, driver: driver, control: continuationControl,
                    keepsWorkDirectories: keepsWorkDirectories)
            }
        }
        // What is left of the pipeline's containers is removed before its run is over.
        await ContainerCleanups.shared.drain()
        PhaseMarks.mark("cleanups")
        if let failure = storeSink.errors.first {
            guard await Self.retryRecording(storeSink, clocks: clocks, for: recordingRetryLimit) else {
                throw EngineError(
                    .store, "The pipeline ran, but its history could not be saved completely: \(failure)")
            }
            warn(
                "the database could not be written for a while (\(failure)); the pipeline was recorded when it "
                    + "could be again")
        }
        return status
    }

    /// Writes what `sink` could not, again and again with growing pauses (up to 5 s apart), for up to `limit`.
    /// - Returns: whether everything was written.
    private static func retryRecording(_ sink: StoreEventSink, clocks: Clocks, for limit: Duration) async -> Bool {
        var waited = Duration.zero
        var pause = Duration.milliseconds(100)
        while !sink.flush() {
            guard waited < limit, (try? await clocks.sleep(for: pause)) != nil else { return false }
            waited += pause
            pause = min(pause * 2, .seconds(5))
        }
        return true
    }

    /// Compiles the continuation a setup workflow asked for and runs its workflows in the same pipeline.
    /// A continuation config that does not compile ends the pipeline as `error`, with its diagnostics.
    private func continuePipeline(
        _ prepared: PreparedPipeline, with continuation: ContinuationRequest, driver: PipelineDriver,
        control: PipelineControl, keepsWorkDirectories: Bool
    ) async -> PipelineStatus {
        let pipelineID = prepared.detail.pipeline.id
        guard var request = prepared.compileRequest else { return .error }
        request.path = continuation.configurationPath
        request.text = continuation.configuration
        request.parameters = continuation.parameters
        request.selection = WorkflowSelection()
        let detail: PipelineDetail
        let plan: Plan
        do {
            let (compiled, warnings, _) = try compile(request)
            for warning in warnings { warnOnce(warning.formatted) }
            plan = compiled
            detail = try store.pipelines.appendWorkflows(of: plan, to: pipelineID)
        } catch {
            let text =
                (error as? EngineError).map { failure in
                    (failure.diagnostics.map(\.formatted) + [failure.message]).joined(separator: "\n")
                } ?? String(describing: error)
            warn("the pipeline's continuation failed: \(text)")
            try? store.pipelines.setPipeline(pipelineID, status: .error, finishedAt: Date(), errorMessage: text)
            return .error
        }
        try? store.pipelines.reopenPipeline(pipelineID)
        var continued = prepared
        continued.detail = detail
        continued.plan = plan
        continued.isSetup = false
        let continuedPipeline = continued
        return await driver.run(detail, plan: plan, control: control) { job, jobPlan in
            self.request(
                for: job, plan: jobPlan, prepared: continuedPipeline, keepsWorkDirectories: keepsWorkDirectories)
        }
    }

    /// The job runs `job` depends on, directly or through others, in workflow order.
    static func upstreamJobIDs(of job: Job, plan: JobPlan, prepared: PreparedPipeline) -> [Int64] {
        guard let workflow = prepared.detail.workflows.first(where: { $0.workflow.id == job.workflowID }),
            let workflowPlan = prepared.plan.workflows.first(where: { $0.name == workflow.workflow.name })
        else { return [] }
        let requires = Dictionary(
            workflowPlan.jobs.map { ($0.name, $0.requires.map(\.job)) }, uniquingKeysWith: { first, _ in first }
        )
        var names = Set<String>()
        var pending = plan.requires.map(\.job)
        while let name = pending.popLast() {
            guard names.insert(name).inserted else { continue }
            pending += requires[name] ?? []
        }
        return workflow.jobs.filter { names.contains($0.job.name) }.map(\.job.id)
    }

    /// Polls the store for `cibox cancel` requests from other processes and hands them to `control`.
    private static func forwardCancelRequests(
        _ pipelineID: Int64, _ store: PipelineStore, _ control: PipelineControl, _ clocks: Clocks
    ) async {
        var forwarded = Set<Int64>()
        while !Task.isCancelled {
            try? await clocks.sleep(for: .milliseconds(250))
            guard let ids = try? store.cancellations.cancelRequests(pipelineID: pipelineID) else { continue }
            let fresh = ids.filter { !forwarded.contains($0) }
            if !fresh.isEmpty {
                forwarded.formUnion(fresh)
                control.cancel(fresh)
            }
        }
    }

    /// The executor request of job run `job`.
    /// For a job in an image that splits tests by timings, its timings from earlier pipelines written to a file in
    /// its control folder (the job cannot reach the database from its container); nil otherwise.
    private func writeTimings(for request: JobRunRequest, jobName: String, pipeline: Pipeline) -> String? {
        guard request.executor == .local, request.spec.dockerImages?.isEmpty == false,
            request.spec.steps.contains(where: { step in
                if case .run(let action) = step.action { return action.command.contains("timings") }
                return false
            }),
            let timings = try? store.testCases.testTimings(
                projectID: pipeline.projectID, jobName: jobName, excludingPipeline: pipeline.id),
            let data = try? JSONEncoder().encode(timings)
        else { return nil }
        let file = request.controlDirectory + "/timings.json"
        do {
            try Folders.make(request.controlDirectory, mode: 0o711)
            try FileWriter.write(String(decoding: data, as: UTF8.self), to: file, mode: 0o644)
        } catch {
            warnOnce("cannot write the test timings of job '\(jobName)' to '\(file)': \(error.localizedDescription)")
            return nil
        }
        return file
    }

    private func request(for job: Job, plan: JobPlan, prepared: PreparedPipeline, keepsWorkDirectories: Bool)
        -> JobRunRequest
    {
        let pipeline = prepared.detail.pipeline
        let spec = plan.spec ?? JobSpec(definitionName: job.name, steps: [])
        // A job run an earlier cibox handed to Slurm stays there: this one attaches to it.
        let executorKind: ExecutorKind =
            SlurmExecutor.jobID(reference: job.executorReference) != nil
            ? .slurm : settings.executor(resourceClass: spec.resourceClass, project: pipeline.projectName)
        // The cluster's nodes, not this machine, bound a job sent there: only this machine's jobs are clamped.
        let limit = executorKind == .local ? capacity : Capacity(millicores: .max / 2, memoryBytes: .max / 2)
        let (resourceClass, note) = settings.resourceClass(named: spec.resourceClass, capacity: limit)
        if let note { warnOnce(note) }
        let workflowName = prepared.detail.workflows.first { $0.workflow.id == job.workflowID }?.workflow.name ?? ""
        var request = JobRunRequest(
            jobID: job.id, jobName: job.name, workflowID: job.workflowID, workflowName: workflowName,
            pipelineID: pipeline.id, pipelineNumber: pipeline.number, projectName: pipeline.projectName,
            repositoryPath: prepared.repositoryPath, revision: pipeline.revision, branch: pipeline.branch,
            tag: pipeline.tag, nodeIndex: job.nodeIndex, parallelism: job.parallelism, spec: spec,
            workDirectory: workDirectory(jobID: job.id), logDirectory: store.logDirectory(jobID: job.id),
            source: prepared.source, inheritedEnvironment: ProcessInfo.processInfo.environment,
            keepsWorkDirectory: keepsWorkDirectories, noOutputTimeout: settings.noOutputTimeout
        )
        request.limits = ResourceLimits(
            millicores: resourceClass.millicores, memoryBytes: resourceClass.memoryBytes, pids: resourceClass.pids,
            cpuWeight: ResourceLimits.cpuWeight(for: pipeline.trigger)
        )
        request.resourceClass = resourceClass.name
        request.timeLimit = settings.jobTimeLimit
        request.artifactLimit = settings.artifactLimit
        request.echoesCommands = true
        let (secretEnvironment, missingContexts) = secretVariables(
            project: pipeline.projectName, contexts: plan.contexts)
        request.secretEnvironment = secretEnvironment
        request.secrets = secretEnvironment.map(\.value)
        if !missingContexts.isEmpty {
            request.preflightFailure =
                "Context \(missingContexts.map { "'\($0)'" }.joined(separator: ", ")) is not defined here. "
                + "Add it under `contexts:` in \(SettingsFile.path(home: home)) or with `cibox context set NAME KEY`."
        }
        if let user = settings.runAs {
            if let ids = JobRunRequest.user(named: user) {
                request.runAs = ids
            } else {
                request.preflightFailure =
                    "The user '\(user)' (run_as / --run-as) does not exist on this machine. Create it or change the setting."
            }
        }
        request.stateDirectory = home
        request.storageDirectory = storageDirectory
        request.executor = executorKind
        request.executorReference = job.executorReference
        request.sourceOrigin = prepared.source.origin
        request.projectID = pipeline.projectID
        request.upstreamJobIDs = Self.upstreamJobIDs(of: job, plan: plan, prepared: prepared)
        request.agentExecutable = agentExecutable
        request.agentEnvironment = [
            "CIBOX_HOME": home, "CIBOX_PIPELINE_ID": String(pipeline.id),
            "CIBOX_PROJECT_ID": String(pipeline.projectID),
        ]
        if prepared.isSetup {
            request.agentEnvironment[Continuation.fileVariable] = Continuation.file(home: home, pipelineID: pipeline.id)
        }
        if let file = writeTimings(for: request, jobName: job.name, pipeline: pipeline) {
            request.agentEnvironment[TestTimings.fileVariable] = file
        }
        return request
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxEngine
import CIBoxExecutor
import CIBoxGit
import CIBoxModel
import CIBoxScheduler
import CIBoxStore
import Foundation
package import Logging
import ServiceLifecycle

/// Watches every project's refs and runs a pipeline for each moved branch or new tag, and the pipelines
/// `cibox trigger` hands to the daemon.
///
/// Every pipeline the daemon runs (pushes, and those resumed or re-queued at start) is a child task of the
/// service's own task group. At start it catches up on refs that moved while cibox was down (the refs last seen are
/// stored). On a graceful shutdown it stops taking work, gives running pipelines `gracePeriod` seconds (on the
/// engine's monotonic clock), then cancels them, awaits them, and records their stopped jobs as `interrupted`.
package struct PipelineService: Service {
    let engine: PipelineEngine
    let logger: Logger
    let gracePeriod: Double
    let pollInterval: Double?
    let autoCancel: @Sendable (String) -> Bool
    let onFinished: @Sendable (Int64) async -> Void
    /// Pipelines to run from the start (resumed after a crash, or re-queued).
    let initial: [PreparedPipeline]
    /// Pipelines prepared by the process's other services.
    let inbox: PipelineInbox
    /// The pipelines it runs now.
    let running = RunningPipelines()
    /// How often the store's projects are read for added and removed ones.
    var projectsInterval: Duration = .seconds(1)

    /// Makes the service.
    /// - Parameters:
    ///   - pollInterval: poll refs this often instead of inotify (nil: inotify, polling only if it fails).
    ///   - autoCancel: whether a project (by name) cancels queued pipelines made redundant by a newer push.
    ///   - onFinished: told each pipeline's id when it ends (notifications).
    ///   - initial: pipelines to run from the start, in the same group as the others.
    ///   - inbox: pipelines other services of the process prepare, run as they come.
    package init(
        engine: PipelineEngine, logger: Logger, gracePeriod: Double, pollInterval: Double?,
        autoCancel: @escaping @Sendable (String) -> Bool, onFinished: @escaping @Sendable (Int64) async -> Void,
        initial: [PreparedPipeline] = [], inbox: PipelineInbox = PipelineInbox()
    ) {
        self.engine = engine
        self.logger = logger
        self.gracePeriod = gracePeriod
        self.pollInterval = pollInterval
        self.autoCancel = autoCancel
        self.onFinished = onFinished
        self.initial = initial
        self.inbox = inbox
    }

    /// Runs until a graceful shutdown, then winds the running pipelines down.
    package func run() async throws {
        let projects = (try? engine.store.projects.projects()) ?? []
        logger.info("watching projects", metadata: ["projects.count": "\(projects.count)"])
        let (work, queue) = AsyncStream.makeStream(of: PreparedPipeline.self)
        for prepared in initial { queue.yield(prepared) }
        var stopped: (ids: Set<Int64>, at: Date)?
        await withDiscardingTaskGroup { group in
            group.addTask {
                await withDiscardingTaskGroup { watchers in
                    watchers.addTask { await watchProjects(projects, queue: queue) }
                    watchers.addTask { await takeHandoffs(queue: queue) }
                    watchers.addTask { await takeSubmitted(queue: queue) }
                }
                queue.finish()
            }
            for await prepared in work {
                let id = prepared.detail.pipeline.id
                running.insert(id)
                group.addTask {
                    await runPipeline(prepared)
                    running.remove(id)
                }
            }
            // Shutting down: nothing new comes; what runs gets its grace period, then is stopped.
            let deadline = engine.clocks.stopwatch()
            while !running.isEmpty, deadline.elapsed < .seconds(gracePeriod) {
                try? await engine.clocks.sleep(for: .milliseconds(100))
            }
            if !running.isEmpty {
                stopped = (running.ids, engine.clocks.wall())
                group.cancelAll()
            }
        }
        if let stopped {
            for id in stopped.ids {
                do {
                    try engine.store.recovery.markCanceledAsInterrupted(pipelineID: id, since: stopped.at)
                } catch {
                    logger.error(
                        "cannot record the jobs a shutdown stopped",
                        metadata: ["pipeline.id": "\(id)", "reason": "\(error.message)"])
                }
            }
        }
    }

    /// Runs one pipeline to its end; what cibox itself could not do is said in the log.
    private func runPipeline(_ prepared: PreparedPipeline) async {
        let id = prepared.detail.pipeline.id
        do {
            _ = try await engine.run(prepared, observers: [FaultLog(logger: logger)])
        } catch {
            logger.error(
                "a pipeline's history is incomplete", metadata: ["pipeline.id": "\(id)", "reason": "\(error.message)"])
        }
        await onFinished(id)
    }

    /// Watches one project until shutdown, queueing a pipeline for each ref that moved.
    private func watch(_ project: Project, queue: AsyncStream<PreparedPipeline>.Continuation) async {
        let watcher: RefWatcher
        do {
            watcher = try RefWatcher(
                gitDirectory: gitDirectory(of: project), usesInotify: pollInterval == nil,
                pollingInterval: .milliseconds(Int((pollInterval ?? 1) * 1000))
            )
        } catch {
            logger.error(
                "cannot watch a project",
                metadata: [
                    "project.name": "\(project.name)", "project.path": "\(project.path)", "reason": "\(error.message)",
                ])
            return
        }
        logger.info(
            "watching a project", metadata: ["project.name": "\(project.name)", "project.path": "\(project.path)"])
        await catchUp(project, queue: queue)
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await _ in watcher.changes() {
                    await catchUp(project, queue: queue)
                }
            } onGracefulShutdown: {
                watcher.stop()
            }
        } onCancel: {
            watcher.stop()
        }
    }

    /// Passes on what the inbox gets until a graceful shutdown; then it takes no more.
    private func takeSubmitted(queue: AsyncStream<PreparedPipeline>.Continuation) async {
        await cancelWhenGracefulShutdown {
            for await prepared in inbox.pipelines { queue.yield(prepared) }
        }
        inbox.close()
    }

    /// Watches `projects` (the store's at start), then, every ``projectsInterval`` until a graceful shutdown, starts
    /// watching the projects added since (`cibox project add`, the API) and stops watching those removed.
    private func watchProjects(_ projects: [Project], queue: AsyncStream<PreparedPipeline>.Continuation) async {
        var watched: [Int64: Task<Void, Never>] = [:]
        var current = projects
        var changes = StoreChanges(store: engine.store)
        _ = changes.mayHaveChanged()
        while true {
            let ids = Set(current.map(\.id))
            for (id, task) in watched where !ids.contains(id) {
                logger.info("stopped watching a removed project", metadata: ["project.id": "\(id)"])
                task.cancel()
                watched[id] = nil
            }
            for project in current where watched[project.id] == nil {
                // An unstructured task inherits the graceful shutdown's task-local, which `watch` listens to.
                watched[project.id] = Task { await watch(project, queue: queue) }
            }
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: projectsInterval) })) != nil
            else { break }
            guard changes.mayHaveChanged() else { continue }
            do {
                current = try engine.store.projects.projects()
            } catch {
                changes.forget()
                logger.error("cannot read the projects", metadata: ["reason": "\(error.message)"])
            }
        }
        for task in watched.values { await task.value }
    }

    /// Runs the pipelines `cibox trigger` hands to the daemon (`store.handoffs`), looking every half second (real
    /// time: triggers are other processes), until a graceful shutdown. One that cannot be read back ends `error`.
    private func takeHandoffs(queue: AsyncStream<PreparedPipeline>.Continuation) async {
        guard let owner = ProcessIdentity.current else { return }
        var changes = StoreChanges(store: engine.store)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let taken: [Int64]
            do {
                // Nothing written since the last look: nothing handed over (a hand-over is a commit).
                taken = changes.mayHaveChanged() ? try engine.store.handoffs.take(owner: owner) : []
            } catch {
                changes.forget()
                logger.error("cannot take the pipelines handed to the daemon", metadata: ["reason": "\(error.message)"])
                taken = []
            }
            let handed = Daemon.recorded(
                taken, engine: engine, logger: logger, done: "pipeline handed over by cibox trigger",
                failed: "cannot run a pipeline handed over: it ends as error", reason: "the daemon could not read it")
            for prepared in handed { queue.yield(prepared) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(500)) }
        }
    }

    private func gitDirectory(of project: Project) -> String {
        (try? GitRepository.open(discoveringFrom: project.path).gitDirectory) ?? project.path
    }

    /// Starts a pipeline for every ref of `project` that moved since it was last seen.
    private func catchUp(_ project: Project, queue: AsyncStream<PreparedPipeline>.Continuation) async {
        let store = engine.store
        let current: [String: String]
        let seen: [String: String]
        do {
            current = try GitRepository.open(discoveringFrom: project.path).references()
            seen = try store.projects.refs(projectID: project.id)
        } catch {
            // A repository deleted or moved while watched: say so and go on with the other projects.
            let reason = (error as? GitError)?.message ?? (error as? StoreError)?.message ?? "\(error)"
            logger.error(
                "cannot read the refs of a project: no pipeline for it until they can be read again",
                metadata: ["project.name": "\(project.name)", "project.path": "\(project.path)", "reason": "\(reason)"])
            return
        }
        // Each pipeline remembers its ref as seen when it is recorded (one transaction), and only then are all
        // refs saved: a crash in between can neither lose a push nor build it twice.
        for change in RefChanges.between(old: seen, new: current) {
            await start(change, of: project, queue: queue)
        }
        try? store.projects.saveRefs(projectID: project.id, refs: current)
    }

    private func start(
        _ change: RefChange, of project: Project, queue: AsyncStream<PreparedPipeline>.Continuation
    ) async {
        // The commit that was seen, for the ref that moved (not whatever the ref points to a moment later).
        var options = RunOptions(path: project.path, revision: change.newSHA, trigger: .push)
        options.pushedRef = change.ref
        options.seenRef = (change.ref, change.newSHA)
        let prepared: PreparedPipeline
        do {
            prepared = try engine.prepare(options)
        } catch {
            if let pipeline = error.pipeline {
                // An invalid config: the pipeline is recorded as error with its diagnostics, as on CircleCI.
                logger.error(
                    "a push's config is invalid: its pipeline is recorded as error",
                    metadata: [
                        "pipeline.id": "\(pipeline.id)", "ref": "\(change.ref)", "reason": "\(error.message)",
                        "diagnostics": "\(error.diagnostics.map(\.formatted).joined(separator: "; "))",
                    ])
                await engine.flushReport()
                await onFinished(pipeline.id)
                return
            }
            // No workflow matches this branch, or no config: nothing to build, as on CircleCI.
            logger.info(
                "no pipeline for a ref", metadata: ["ref": "\(change.ref)", "reason": "\(error.message)"]
            )
            return
        }
        let pipelineID = prepared.detail.pipeline.id
        if let branch = prepared.detail.pipeline.branch, autoCancel(project.name) {
            for redundant
                in (try? engine.store.cancellations.redundantPipelines(
                    projectID: project.id, branch: branch, before: pipelineID)) ?? []
            {
                _ = try? engine.store.cancellations.requestCancel(pipelineID: redundant)
            }
        }
        logger.info("pipeline started", metadata: ["pipeline.id": "\(pipelineID)", "ref": "\(change.ref)"])
        queue.yield(prepared)
    }
}

/// Says in the daemon's log when cibox itself could not run a pipeline on (it ends `error`), and when a job failed
/// for the machine rather than for its own commands (`infrastructure`: a full disk, a folder cibox cannot write).
struct FaultLog: PipelineEventSink {
    let logger: Logger

    func handle(_ event: PipelineEvent) async {
        switch event {
        case .pipelineFailed(let id, let message, _):
            logger.error("a pipeline ended as error", metadata: ["pipeline.id": "\(id)", "reason": "\(message)"])
        case .jobFinished(let id, let result) where result.failureReason == .infrastructure:
            logger.error(
                "a job failed for the machine",
                metadata: ["job.id": "\(id)", "reason": "\(result.failureMessage ?? "infrastructure")"])
        default:
            break
        }
    }
}

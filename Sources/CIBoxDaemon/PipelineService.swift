// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxEngine
import CIBoxGit
import CIBoxModel
import CIBoxStore
import Foundation
package import Logging
import ServiceLifecycle

/// Watches every project's refs and runs a pipeline for each moved branch or new tag.
///
/// At start it catches up on refs that moved while cibox was down (the refs last seen are stored). On a
/// graceful shutdown it stops taking work, gives running pipelines `gracePeriod` seconds, then cancels them;
/// their jobs end `interrupted`.
package struct PipelineService: Service {
    let engine: PipelineEngine
    let logger: Logger
    let gracePeriod: Double
    let pollInterval: Double?
    let autoCancel: @Sendable (String) -> Bool
    let onFinished: @Sendable (Int64) async -> Void

    /// Makes the service.
    /// - Parameters:
    ///   - pollInterval: poll refs this often instead of inotify (nil: inotify, polling only if it fails).
    ///   - autoCancel: whether a project (by name) cancels queued pipelines made redundant by a newer push.
    ///   - onFinished: told each pipeline's id when it ends (notifications).
    package init(
        engine: PipelineEngine, logger: Logger, gracePeriod: Double, pollInterval: Double?,
        autoCancel: @escaping @Sendable (String) -> Bool, onFinished: @escaping @Sendable (Int64) async -> Void
    ) {
        self.engine = engine
        self.logger = logger
        self.gracePeriod = gracePeriod
        self.pollInterval = pollInterval
        self.autoCancel = autoCancel
        self.onFinished = onFinished
    }

    /// Runs until a graceful shutdown.
    package func run() async throws {
        let projects = (try? engine.store.projects.projects()) ?? []
        logger.info("watching projects", metadata: ["projects.count": "\(projects.count)"])
        await withTaskGroup(of: Void.self) { group in
            for project in projects {
                group.addTask { await watch(project) }
            }
        }
    }

    /// Watches one project until shutdown, then winds its pipelines down.
    private func watch(_ project: Project) async {
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
        let running = RunningPipelines()
        await catchUp(project, running: running)
        await withGracefulShutdownHandler {
            for await _ in watcher.changes() {
                await catchUp(project, running: running)
            }
        } onGracefulShutdown: {
            watcher.stop()
        }
        await running.windDown(gracePeriod: gracePeriod, store: engine.store)
    }

    private func gitDirectory(of project: Project) -> String {
        (try? GitRepository.open(discoveringFrom: project.path).gitDirectory) ?? project.path
    }

    /// Starts a pipeline for every ref of `project` that moved since it was last seen.
    private func catchUp(_ project: Project, running: RunningPipelines) async {
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
            await start(change, of: project, running: running)
        }
        try? store.projects.saveRefs(projectID: project.id, refs: current)
    }

    private func start(_ change: RefChange, of project: Project, running: RunningPipelines) async {
        // The commit that was seen, for the ref that moved (not whatever the ref points to a moment later).
        var options = RunOptions(path: project.path, revision: change.newSHA, trigger: .push)
        options.pushedRef = change.ref
        options.seenRef = (change.ref, change.newSHA)
        let prepared: PreparedPipeline
        do {
            prepared = try engine.prepare(options)
        } catch {
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
        let engine = self.engine
        let onFinished = self.onFinished
        await running.start(pipelineID) {
            _ = try? await engine.run(prepared)
            await onFinished(pipelineID)
        }
    }
}

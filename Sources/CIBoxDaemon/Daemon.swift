// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxEngine
package import CIBoxExecutor
import CIBoxModel
import CIBoxStore
import Foundation
package import Logging
package import ServiceLifecycle
import UnixSignals

/// `cibox daemon`: the home's daemon lock (``DaemonPresence``), recovery at start, then the pipeline service in a `ServiceGroup` that shuts down
/// gracefully on SIGTERM or SIGINT.
package enum Daemon {
    /// How the daemon runs.
    package struct Options: Sendable {
        /// Run the pipelines interrupted by a crash again (as a new attempt of what did not pass).
        package var requeueInterrupted: Bool
        /// Seconds running pipelines get to finish at shutdown.
        package var gracePeriod: Double
        /// Poll refs this often instead of using inotify.
        package var pollInterval: Double?
        /// Projects whose queued pipelines a newer push cancels.
        package var autoCancel: @Sendable (String) -> Bool
        /// Told each pipeline's id when it ends.
        package var onFinished: @Sendable (Int64) async -> Void
        /// Seconds between retention runs, and the retention run itself.
        package var collectEvery: Double = 3600
        package var collect: @Sendable () -> Void = {}
        /// More services run in the daemon's group (the HTTP API), after the daemon's own: the group stops them
        /// first at shutdown, so they end before running pipelines get their grace period.
        package var services: [any Service] = []
        /// How often an idle daemon checks whether to give back the pages its finished work left mapped
        /// (``ResidentTrimService``).
        package var trimInterval: Duration = .seconds(5)
        /// Pipelines prepared in this process by the services (the HTTP API), for the daemon to run.
        package var inbox = PipelineInbox()

        /// Makes options.
        package init(
            requeueInterrupted: Bool, gracePeriod: Double = 30, pollInterval: Double? = nil,
            autoCancel: @escaping @Sendable (String) -> Bool = { _ in false },
            onFinished: @escaping @Sendable (Int64) async -> Void = { _ in }
        ) {
            self.requeueInterrupted = requeueInterrupted
            self.gracePeriod = gracePeriod
            self.pollInterval = pollInterval
            self.autoCancel = autoCancel
            self.onFinished = onFinished
        }
    }

    /// Runs the daemon until SIGTERM or SIGINT.
    /// - Throws: ``EngineError`` `usage` when another daemon runs on the home, `store` when recovery cannot read or
    ///   write the store.
    package static func run(
        engine: PipelineEngine, cgroups: CgroupManager?, options: Options, logger: Logger
    ) async throws {
        // One daemon per home; the lock also tells `cibox trigger` that a daemon takes pipelines.
        let presence = try DaemonPresence.claim(home: engine.home, pid: getpid())
        defer { withExtendedLifetime(presence) {} }
        let report = try await Recovery.recover(engine: engine, cgroups: cgroups)
        if !report.interrupted.isEmpty {
            logger.warning("interrupted pipelines recovered", metadata: ["pipeline.ids": "\(report.interrupted)"])
        }
        // Interrupted jobs' folders go and report pages are rewritten, re-attached pipelines' included (their jobs
        // that ran on this machine were interrupted).
        await engine.settleRecovered(pipelineIDs: report.interrupted + report.resumable)
        var initial = resumed(report.resumable, engine: engine, logger: logger)
        if options.requeueInterrupted { initial += requeued(report.interrupted, engine: engine, logger: logger) }
        let service = PipelineService(
            engine: engine, logger: logger, gracePeriod: options.gracePeriod, pollInterval: options.pollInterval,
            autoCancel: options.autoCancel, onFinished: options.onFinished, initial: initial, inbox: options.inbox
        )
        let retention = RetentionService(every: options.collectEvery, clocks: engine.clocks, collect: options.collect)
        var trim = ResidentTrimService(
            interval: options.trimInterval, clocks: engine.clocks, isIdle: { service.running.isEmpty }, logger: logger)
        trim.releaseCaches = { [store = engine.store] in store.releaseMemory() }
        let group = ServiceGroup(
            services: [service, retention, trim] + options.services, gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
    }

    /// The pipelines whose jobs still run on the cluster, ready to be followed again and run on. One that cannot be
    /// is said in the log and ends `error` with the reason.
    static func resumed(_ ids: [Int64], engine: PipelineEngine, logger: Logger) -> [PreparedPipeline] {
        recorded(
            ids, engine: engine, logger: logger, done: "pipeline attached again",
            failed: "cannot attach to a pipeline again: it ends as error", reason: "cibox could not attach to it again")
    }

    /// Recorded pipelines `ids`, read back ready to run (each said in the log as `done`). One that cannot be is said
    /// in the log as `failed` and ends `error` with `reason` and the cause.
    static func recorded(
        _ ids: [Int64], engine: PipelineEngine, logger: Logger, done: Logger.Message, failed: Logger.Message,
        reason: String
    ) -> [PreparedPipeline] {
        var prepared: [PreparedPipeline] = []
        for id in ids {
            do {
                prepared.append(try engine.resume(pipelineID: id))
                logger.info(done, metadata: ["pipeline.id": "\(id)"])
            } catch {
                logger.error(failed, metadata: ["pipeline.id": "\(id)", "reason": "\(error.message)"])
                do {
                    try engine.endAsError(pipelineID: id, reason: "\(reason): \(error.message)")
                } catch {
                    logger.error(
                        "cannot record a pipeline's end",
                        metadata: ["pipeline.id": "\(id)", "reason": "\(error.message)"])
                }
            }
        }
        return prepared
    }

    /// New attempts of the pipelines a crash interrupted (`--requeue-interrupted`); one that cannot be made is said
    /// in the log (the interrupted pipeline stays as it is).
    static func requeued(_ ids: [Int64], engine: PipelineEngine, logger: Logger) -> [PreparedPipeline] {
        var prepared: [PreparedPipeline] = []
        for id in ids {
            do {
                let attempt = try engine.rerun(pipelineID: id, failedOnly: true)
                logger.info("requeued", metadata: ["pipeline.id": "\(id)", "new.id": "\(attempt.detail.pipeline.id)"])
                prepared.append(attempt)
            } catch {
                logger.error(
                    "cannot run an interrupted pipeline again",
                    metadata: ["pipeline.id": "\(id)", "reason": "\(error.message)"])
            }
        }
        return prepared
    }
}

/// Runs retention (`cibox gc`) on the daemon's schedule until a graceful shutdown.
struct RetentionService: Service {
    let every: Double
    let clocks: Clocks
    let collect: @Sendable () -> Void

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            collect()
            let pause = max(60, every)
            try? await cancelWhenGracefulShutdown { try await clocks.sleep(for: .seconds(pause)) }
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxEngine
package import CIBoxExecutor
import CIBoxModel
package import Logging
import ServiceLifecycle
import UnixSignals

/// `cibox daemon`: recovery at start, then the pipeline service in a `ServiceGroup` that shuts down
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
    /// - Throws: ``EngineError`` when recovery cannot read or write the store.
    package static func run(
        engine: PipelineEngine, cgroups: CgroupManager?, options: Options, logger: Logger
    ) async throws {
        let report = try await Recovery.recover(engine: engine, cgroups: cgroups)
        let recovered = report.interrupted
        if !recovered.isEmpty {
            logger.warning("interrupted pipelines recovered", metadata: ["pipeline.ids": "\(recovered)"])
        }
        // Interrupted jobs' folders go and report pages are rewritten, re-attached pipelines' included (their jobs
        // that ran on this machine were interrupted).
        await engine.settleRecovered(pipelineIDs: recovered + report.resumable)
        for id in report.resumable {
            // Its jobs still run on the cluster: follow them again and run what comes after them.
            guard let prepared = try? engine.resume(pipelineID: id) else { continue }
            logger.info("pipeline attached again", metadata: ["pipeline.id": "\(id)"])
            Task {
                _ = try? await engine.run(prepared)
                await options.onFinished(id)
            }
        }
        let service = PipelineService(
            engine: engine, logger: logger, gracePeriod: options.gracePeriod, pollInterval: options.pollInterval,
            autoCancel: options.autoCancel, onFinished: options.onFinished
        )
        if options.requeueInterrupted {
            for id in recovered {
                guard let prepared = try? engine.rerun(pipelineID: id, failedOnly: true) else { continue }
                logger.info("requeued", metadata: ["pipeline.id": "\(id)", "new.id": "\(prepared.detail.pipeline.id)"])
                Task {
                    _ = try? await engine.run(prepared)
                    await options.onFinished(prepared.detail.pipeline.id)
                }
            }
        }
        let retention = RetentionService(every: options.collectEvery, collect: options.collect)
        let group = ServiceGroup(
            services: [service, retention], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
        )
        try await group.run()
    }
}

/// Runs retention (`cibox gc`) on the daemon's schedule until a graceful shutdown.
struct RetentionService: Service {
    let every: Double
    let collect: @Sendable () -> Void

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            collect()
            let pause = max(60, every)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
        }
    }
}

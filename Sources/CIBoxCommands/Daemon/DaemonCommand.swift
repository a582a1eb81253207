// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxDaemon
import CIBoxEngine
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import CIBoxReport
import CIBoxServer
import Logging

/// `cibox daemon`: watches every project and builds each push, until SIGTERM or SIGINT.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Watch the projects (cibox project add) and run a pipeline for every push.",
        discussion: "SIGTERM or SIGINT stop it gracefully: no new work, running pipelines get a grace period."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Run again the pipelines a crash interrupted (what did not pass, as a new attempt).")
    var requeueInterrupted = false

    @Option(help: "Poll refs every SECONDS instead of watching them with inotify.")
    var pollInterval: Double?

    @Option(help: "Seconds running pipelines get to finish when the daemon stops (default: settings, 30).")
    var gracePeriod: Double?

    @Option(help: "Run jobs as this unprivileged user (default: run_as in settings).")
    var runAs: String?

    @Option(
        help: ArgumentHelp(
            "Serve the HTTP API on HOST:PORT (default: http.listen in settings, else no API); off loopback, reads need a token.",
            discussion: "Port 0 takes a free port; the address served is in $CIBOX_HOME/http.address while the "
                + "daemon runs.", valueName: "host:port"))
    var listen: String?

    func validate() throws {
        if let listen {
            do {
                _ = try ListenAddress(parsing: listen)
            } catch {
                throw ValidationError("--listen \(listen): \(error.message).")
            }
        }
    }

    func run() async throws {
        let engine = try PipelineRunFlow.makeEngine(
            home: global.homeDirectory, runAs: runAs, recordingRetryLimit: .seconds(6 * 3600)
        ).get()
        var logger = Logger(label: "cibox.daemon", factory: EscapingLogHandler.init)
        logger.logLevel = .info
        let settings = engine.settings
        let store = engine.store
        let storage = engine.storageDirectory
        var options = Daemon.Options(
            requeueInterrupted: requeueInterrupted || settings.daemon.requeueInterrupted,
            gracePeriod: gracePeriod ?? settings.daemon.gracePeriod, pollInterval: pollInterval,
            autoCancel: { settings.autoCancel.isEnabled(project: $0) },
            onFinished: { await PipelineNotification.send(pipelineID: $0, store: store, settings: settings) }
        )
        let retention = settings.retention
        let collectLogger = logger
        let reportLayout = settings.writesReport ? ReportLayout(home: engine.home) : nil
        options.collectEvery = retention.every
        options.collect = {
            do {
                let collected = try Retention.collect(
                    storageDirectory: storage,
                    store: store, olderThan: retention.olderThan, keepLast: retention.keepLast,
                    cacheSize: retention.cacheSize, report: reportLayout
                )
                if let warning = collected.reportWarning { collectLogger.warning("\(warning)") }
            } catch {
                collectLogger.error("retention failed", metadata: ["reason": "\(error)"])
            }
            do throws(ImageError) {
                let images = try ImageStore(home: storage).collect(
                    keep: settings.images.keep, maxSize: settings.images.maxSize, dryRun: false)
                for record in images.removed {
                    collectLogger.info(
                        "removed image", metadata: ["reference": "\(record.reference)", "digest": "\(record.digest)"])
                }
            } catch {
                collectLogger.error("image retention failed", metadata: ["reason": "\(error.message)"])
            }
        }
        if let address = try listen.map(ListenAddress.init(parsing:)) ?? settings.http.listen {
            let home = engine.home
            let actions = PipelineActions(engine: engine, inbox: options.inbox, storageDirectory: storage)
            let sources = APISources(store: store, storageDirectory: storage, actions: actions) {
                try StatusCommand.json(store: store, settings: settings, home: home)
            }
            options.services.append(
                APIServer(
                    listen: address, publicRead: settings.http.publicRead, addressFile: home + "/http.address",
                    sources: sources, logger: logger))
        }
        do {
            try await Daemon.run(engine: engine, cgroups: CgroupManager.system(), options: options, logger: logger)
        } catch let error as EngineError {
            PipelineRunFlow.report(error)
            throw ExitCodes.of(error)
        } catch let error as APIServerError {
            Terminal.fail(error.message)
            throw ExitCode.failure
        }
    }
}

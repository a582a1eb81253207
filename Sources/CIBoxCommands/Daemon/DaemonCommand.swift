// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxDaemon
import CIBoxEngine
import CIBoxExecutor
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

    @Option(help: "Seconds running pipelines get to finish when the daemon stops.")
    var gracePeriod: Double = 30

    func run() async throws {
        guard let engine = PipelineRunFlow.makeEngine(home: global.homeDirectory) else { throw ExitCodes.cannotRun }
        var logger = Logger(label: "cibox.daemon")
        logger.logLevel = .info
        let options = Daemon.Options(
            requeueInterrupted: requeueInterrupted, gracePeriod: gracePeriod, pollInterval: pollInterval
        )
        do {
            try await Daemon.run(engine: engine, cgroups: CgroupManager.system(), options: options, logger: logger)
        } catch let error as EngineError {
            PipelineRunFlow.report(error)
            throw ExitCodes.cannotRun
        }
    }
}

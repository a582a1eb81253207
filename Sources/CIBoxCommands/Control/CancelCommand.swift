// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxStore

/// `cibox cancel`: stops a pipeline's (or one job's) running processes and skips what has not started.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a pipeline, or one job with --job.",
        discussion: "The process running the pipeline (cibox run, the daemon) stops it within a second."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline's id, or the job's id with --job.")
    var id: Int64

    @Flag(help: "ID is a job's id, not a pipeline's.")
    var job = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        do {
            if job {
                let wasActive = try store.cancellations.requestCancel(jobID: id)
                Terminal.output(
                    wasActive ? "cibox: job \(id) is being canceled\n" : "cibox: job \(id) has already ended\n")
            } else {
                let ids = try store.cancellations.requestCancel(pipelineID: id)
                Terminal.output(
                    ids.isEmpty
                        ? "cibox: pipeline \(id) has already ended\n"
                        : "cibox: pipeline \(id) is being canceled (\(ids.count) job run(s))\n"
                )
            }
        } catch {
            throw HistoryAccess.notFound(error.message)
        }
    }
}

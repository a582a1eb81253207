// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Foundation

/// `cibox logs`: a job run's output, byte for byte.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a job's output.",
        discussion:
            "Without --step, every step's output in order, each under a header line `==> step N: NAME (STATUS)`. "
            + "With --container NAME, the output of the job's service container NAME (a 2nd or later docker: "
            + "image; NAME is its name:, else its image's short name). "
            + "With --follow, the output is printed as the job writes it (from another cibox process too), "
            + "until the job ends. A job whose images were pulled starts with `==> Spin up environment` and the pulls."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job run's id (see `cibox show`).")
    var jobID: Int64

    @Option(help: "Only this step's output, raw (its index, from 0).")
    var step: Int?

    @Option(help: "Only this service container's output, raw (its name: in the config, else its image's short name).")
    var container: String?

    @Flag(help: "Keep printing the output as the job writes it, until the job ends.")
    var follow = false

    func validate() throws {
        if step != nil, container != nil { throw ValidationError("--step and --container cannot be used together.") }
    }

    func run() throws {
        let store = try HistoryAccess.open(global)
        guard let detail = try store.history.jobDetail(id: jobID) else {
            throw HistoryAccess.notFound("No job with id \(jobID). `cibox show PIPELINE_ID` lists a pipeline's jobs.")
        }
        if let container {
            try ContainerLog(store: store, job: detail.job).print(container, follow: follow)
            return
        }
        if let step {
            guard detail.steps.contains(where: { $0.index == step }) else {
                throw HistoryAccess.notFound(
                    "Job \(jobID) has no step \(step); its steps are 0 to \(detail.steps.count - 1).")
            }
            if follow {
                LogFollower(store: store, jobID: jobID).follow(steps: [step], headers: false)
                return
            }
            Terminal.output(JobLog.stepLog(store, jobID: jobID, step: step))
            return
        }
        if follow {
            LogFollower(store: store, jobID: jobID).follow(steps: detail.steps.map(\.index), headers: true)
            return
        }
        Terminal.output(JobLog.text(detail, store: store))
    }
}

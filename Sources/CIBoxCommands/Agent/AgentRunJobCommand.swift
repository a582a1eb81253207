// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
import CIBoxModel
import CIBoxSlurm
import Foundation
import UnixSignals

/// `cibox agent run-job --folder DIR`: runs a job run that cibox handed to Slurm, on the node, inside the Slurm
/// job (the sbatch script cibox writes calls it). Not for people: cibox writes the folder it reads.
struct AgentRunJobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-job",
        abstract: "Run a job run that cibox handed to a cluster (inside the cluster's job).",
        discussion: "Exit status: 0 when the job run succeeded, 1 otherwise; its result is in FOLDER/result.json.",
        shouldDisplay: false
    )

    @Option(help: "The job run's folder in the shared folder (it holds request.json).")
    var folder: String

    func run() async throws {
        let jobFolder = SlurmJobFolder(path: Paths.absolute(folder))
        let environment = ProcessInfo.processInfo.environment
        let enclosing = CgroupManager.system().enclosingGroup(as: .slurm)
        // scancel sends SIGTERM: stop the steps as a cancel does on this machine, and still write the result.
        let result = await Interruption().watching([.sigterm, .sigint]) {
            await SlurmAgent.run(
                folder: jobFolder, makeSource: { GitSourceCheckout(origin: $0) }, environment: environment,
                enclosing: enclosing)
        }
        let node = environment["SLURMD_NODENAME"] ?? ProcessInfo.processInfo.hostName
        var line: TerminalString = "cibox agent: job run on \(node) ended \(result.status.rawValue)"
        if let reason = result.failureReason { line += " (\(reason.rawValue))" }
        if let message = result.failureMessage { line += ": \(message)" }
        Terminal.output(line + "\n")
        if result.status != .success { throw ExitCode.failure }
    }
}

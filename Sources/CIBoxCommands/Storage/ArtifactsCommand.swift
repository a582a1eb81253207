// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxExecutor
import CIBoxPresentation
import CIBoxStore

/// `cibox artifacts`: the files a job run stored with `store_artifacts`.
struct ArtifactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List a job's stored artifacts.",
        discussion: "Each line is a path under $CIBOX_HOME/artifacts/JOB_ID/ and its size in bytes."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job run's id (see `cibox show`).")
    var jobID: Int64

    @Flag(help: "Print a JSON array of {path, size} on standard output.")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        guard try store.history.jobDetail(id: jobID) != nil else {
            throw HistoryAccess.notFound("No job with id \(jobID). `cibox show PIPELINE_ID` lists a pipeline's jobs.")
        }
        let artifacts = ArtifactStore(home: try HistoryAccess.storageDirectory(global))
        let files = artifacts.list(jobID: jobID)
        if json {
            Terminal.output(json: JSONValue.array(files.map(PipelineJSON.artifact)))
            return
        }
        if files.isEmpty { Terminal.output("Job \(jobID) stored no artifacts.\n") }
        for file in files { Terminal.output("\(file.path)\t\(file.size)\n") }
    }
}

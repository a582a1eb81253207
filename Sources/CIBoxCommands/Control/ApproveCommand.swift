// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine

/// `cibox approve`: releases a workflow held by a `type: approval` job and runs what follows it.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a held job and run the jobs that wait for it.",
        discussion: "Exit status as for `cibox run`: 0 the pipeline succeeded, 1 it did not (or waits again)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline's id.")
    var pipelineID: Int64

    @Argument(help: "The approval job's name.")
    var job: String

    @Flag(help: "Print only the pipeline as JSON on standard output.")
    var json = false

    func run() async throws {
        let pipelineID = self.pipelineID
        let job = self.job
        let outcome = await PipelineRunFlow.run(home: global.homeDirectory, json: json) {
            (engine: PipelineEngine) throws(EngineError) -> PreparedPipeline in
            try engine.approve(pipelineID: pipelineID, jobName: job)
        }
        if outcome != .success { throw outcome }
    }
}

/// `cibox rerun`: a new attempt of a pipeline (all jobs, or the failed ones and what follows them).
struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Run a pipeline again as a new pipeline: every job, or with --failed only what did not pass.",
        discussion: "History keeps every attempt; job entries carry their attempt number."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline's id.")
    var pipelineID: Int64

    @Flag(help: "Rerun only the jobs that did not pass and the jobs after them.")
    var failed = false

    @Flag(help: "Print only the new pipeline as JSON on standard output.")
    var json = false

    func run() async throws {
        let pipelineID = self.pipelineID
        let failedOnly = failed
        let outcome = await PipelineRunFlow.run(home: global.homeDirectory, json: json) {
            (engine: PipelineEngine) throws(EngineError) -> PreparedPipeline in
            try engine.rerun(pipelineID: pipelineID, failedOnly: failedOnly)
        }
        if outcome != .success { throw outcome }
    }
}

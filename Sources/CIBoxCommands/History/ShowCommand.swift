// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import CIBoxPresentation
import CIBoxStore

/// `cibox show`: one pipeline with its workflows, job runs and steps.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one pipeline.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The pipeline's id (see `cibox pipelines`).")
    var pipelineID: Int64

    @Flag(help: "Print the pipeline as JSON on standard output.")
    var json = false

    func run() async throws {
        let store = try await HistoryAccess.openSettled(global)
        guard let detail = try store.history.pipelineDetail(id: pipelineID) else {
            throw HistoryAccess.notFound("No pipeline with id \(pipelineID). `cibox pipelines` lists them.")
        }
        if json {
            Terminal.output(
                PipelineJSON.detail(
                    detail, artifacts: ArtifactStore(home: try HistoryAccess.storageDirectory(global)).list
                ).rendered() + "\n")
            return
        }
        let pipeline = detail.pipeline
        var text = "pipeline \(pipeline.id): \(pipeline.projectName) #\(pipeline.number) \(pipeline.status.rawValue)\n"
        text +=
            "  revision \(pipeline.revision)" + (pipeline.branch.map { " on \($0)" } ?? "")
            + ", trigger \(pipeline.trigger.rawValue)\n"
        for workflow in detail.workflows {
            text += "  workflow \(workflow.workflow.name): \(workflow.workflow.status.rawValue)\n"
            for job in workflow.jobs {
                let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
                text += "    job \(job.job.id) \(job.job.name)\(node): \(job.job.status.rawValue)"
                text += (job.job.failureReason.map { " (\($0.rawValue))" } ?? "")
                text += (job.job.executorReference.map { " on \($0)" } ?? "")
                text += job.job.resources.limitEvents.map { "; " + $0 }.joined() + "\n"
                if job.job.status != .success, let message = job.job.failureMessage {
                    text += "      why: \(message.split(separator: "\n").first ?? "")\n"
                }
                for step in job.steps {
                    text +=
                        "      \(step.index) \(step.name.split(separator: "\n").first ?? ""): \(step.status.rawValue)"
                    text += (step.exitCode.map { " exit \($0)" } ?? "") + ", \(step.logBytes) bytes\n"
                }
            }
        }
        for workflow in detail.workflows {
            for job in workflow.jobs { text += Summary.testsText(job, workflow: workflow.workflow.name, store: store) }
        }
        Terminal.output(text)
    }
}

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
                json: PipelineJSON.shown(detail, storageDirectory: try HistoryAccess.storageDirectory(global)))
            return
        }
        let pipeline = detail.pipeline
        var text: TerminalString =
            "pipeline \(pipeline.id): \(pipeline.projectName) #\(pipeline.number) \(pipeline.status.rawValue)\n"
        if pipeline.source == .workingTree {
            text += "  \(pipeline.sourceText())"
            if let branch = pipeline.branch { text += ", branch \(branch)" }
        } else {
            text += "  revision \(pipeline.revision)"
            if let branch = pipeline.branch { text += " on \(branch)" }
        }
        text += ", trigger \(pipeline.trigger.rawValue)\n"
        if let message = pipeline.errorMessage {
            text += "  \(pipeline.status == .error ? "error" : "note"): \(message)\n"
        }
        for diagnostic in pipeline.diagnostics {
            let location = diagnostic.location
            text += "    \(location.file):\(location.line):\(location.column): \(diagnostic.severity.rawValue): "
            text += "\(diagnostic.message)\n"
            if let hint = diagnostic.hint { text += "      hint: \(hint)\n" }
        }
        for workflow in detail.workflows {
            text += "  workflow \(workflow.workflow.name): \(workflow.workflow.status.rawValue)\n"
            for job in workflow.jobs {
                let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
                text += "    job \(job.job.id) \(job.job.name)\(node): \(job.job.status.rawValue)"
                if let reason = job.job.failureReason { text += " (\(reason.rawValue))" }
                if let reference = job.job.executorReference { text += " on \(reference)" }
                for event in job.job.resources.limitEvents { text += "; \(event)" }
                text += "\n"
                if let image = job.job.image { text += "      image: \(image.reference) (\(image.shortDigest))\n" }
                if job.job.status != .success, let message = job.job.failureMessage {
                    text += "      why: \(message.split(separator: "\n").first ?? "")\n"
                }
                for step in job.steps {
                    let name = step.name.split(separator: "\n").first.map(String.init) ?? ""
                    text += "      \(step.index) \(name): \(step.status.rawValue)"
                    if let code = step.exitCode { text += " exit \(code)" }
                    text += ", \(step.logBytes) bytes\n"
                }
            }
        }
        for workflow in detail.workflows {
            for job in workflow.jobs { text += Summary.testsText(job, workflow: workflow.workflow.name, store: store) }
        }
        Terminal.output(text)
    }
}

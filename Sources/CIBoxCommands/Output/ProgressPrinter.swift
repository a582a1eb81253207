// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxScheduler
import Foundation

/// Prints one line on standard error for each job and step state change of a running pipeline.
struct ProgressPrinter: PipelineEventSink {
    /// `workflow/job` (with `#node` for parallel runs) by job run id.
    let jobLabels: [Int64: TerminalString]
    /// Step names by job run id.
    let stepNames: [Int64: [String]]
    /// Workflow names by id.
    let workflowNames: [Int64: String]

    init(detail: PipelineDetail) {
        var labels: [Int64: TerminalString] = [:]
        var steps: [Int64: [String]] = [:]
        var workflows: [Int64: String] = [:]
        for workflow in detail.workflows {
            workflows[workflow.workflow.id] = workflow.workflow.name
            for job in workflow.jobs {
                labels[job.job.id] = Self.label(job.job, workflow: workflow.workflow.name)
                steps[job.job.id] = job.steps.map(\.name)
            }
        }
        jobLabels = labels
        stepNames = steps
        workflowNames = workflows
    }

    /// `workflow/job` for people, with ` #N` for a node of a parallel job.
    static func label(_ job: Job, workflow: String) -> TerminalString {
        "\(workflow)/\(job.name)" + (job.parallelism > 1 ? " #\(job.nodeIndex)" : "")
    }

    func handle(_ event: PipelineEvent) async {
        guard let line = line(for: event) else { return }
        Terminal.error(line + "\n")
    }

    private func line(for event: PipelineEvent) -> TerminalString? {
        switch event {
        case .pipelineStatus, .workflowStatus:
            return nil
        case .pipelineFailed(_, let message, _):
            return "cibox: the pipeline ended as error: \(message)"
        case .jobSubmitted(let id, let reference):
            return "[\(label(id))] submitted as \(reference)"
        case .jobStatus(let id, let status, _):
            guard status != .queued && status != .blocked else { return nil }
            return "[\(label(id))] \(status.rawValue)"
        case .jobFinished(let id, let result):
            let seconds = String(format: "%.2fs", result.finishedAt.timeIntervalSince(result.startedAt))
            var text: TerminalString = "[\(label(id))] \(result.status.rawValue) in \(seconds)"
            if let reason = result.failureReason, result.status != .success { text += " (\(reason.rawValue))" }
            return text
        case .stepStarted(let jobID, let index, _):
            return "[\(label(jobID))]   step \(index) \(stepName(jobID, index)): running"
        case .stepFinished(let jobID, let index, let result):
            var text: TerminalString =
                "[\(label(jobID))]   step \(index) \(stepName(jobID, index)): \(result.status.rawValue)"
            if let code = result.exitCode, code != 0 { text += " (exit \(code))" }
            return text
        }
    }

    /// The label of job run `id`, or its id.
    private func label(_ id: Int64) -> TerminalString {
        jobLabels[id] ?? "\(id)"
    }

    /// The step's name in quotes: its first line, at most 60 characters.
    private func stepName(_ jobID: Int64, _ index: Int) -> TerminalString {
        let names = stepNames[jobID] ?? []
        let name = index < names.count ? names[index] : "step"
        let firstLine = name.split(separator: "\n").first.map(String.init) ?? name
        let shown = firstLine.count > 60 ? String(firstLine.prefix(57)) + "..." : firstLine
        return "\"\(shown)\""
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxScheduler
import Foundation

/// Prints one line on standard error for each job and step state change of a running pipeline.
struct ProgressPrinter: PipelineEventSink {
    /// `workflow/job` (with `#node` for parallel runs) by job run id.
    let jobLabels: [Int64: String]
    /// Step names by job run id.
    let stepNames: [Int64: [String]]
    /// Workflow names by id.
    let workflowNames: [Int64: String]

    init(detail: PipelineDetail) {
        var labels: [Int64: String] = [:]
        var steps: [Int64: [String]] = [:]
        var workflows: [Int64: String] = [:]
        for workflow in detail.workflows {
            workflows[workflow.workflow.id] = workflow.workflow.name
            for job in workflow.jobs {
                let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
                labels[job.job.id] = "\(workflow.workflow.name)/\(job.job.name)\(node)"
                steps[job.job.id] = job.steps.map(\.name)
            }
        }
        jobLabels = labels
        stepNames = steps
        workflowNames = workflows
    }

    func handle(_ event: PipelineEvent) async {
        guard let line = line(for: event) else { return }
        Terminal.error(line + "\n")
    }

    private func line(for event: PipelineEvent) -> String? {
        switch event {
        case .pipelineStatus, .workflowStatus:
            return nil
        case .pipelineFailed(_, let message, _):
            return "cibox: the pipeline ended as error: \(message)"
        case .jobSubmitted(let id, let reference):
            return "[\(jobLabels[id] ?? String(id))] submitted as \(reference)"
        case .jobStatus(let id, let status, _):
            guard status != .queued && status != .blocked else { return nil }
            return "[\(jobLabels[id] ?? String(id))] \(status.rawValue)"
        case .jobFinished(let id, let result):
            let seconds = String(format: "%.2fs", result.finishedAt.timeIntervalSince(result.startedAt))
            var text = "[\(jobLabels[id] ?? String(id))] \(result.status.rawValue) in \(seconds)"
            if let reason = result.failureReason, result.status != .success { text += " (\(reason.rawValue))" }
            return text
        case .stepStarted(let jobID, let index, _):
            return "[\(jobLabels[jobID] ?? String(jobID))]   step \(index) \(stepName(jobID, index)): running"
        case .stepFinished(let jobID, let index, let result):
            var text =
                "[\(jobLabels[jobID] ?? String(jobID))]   step \(index) \(stepName(jobID, index)): \(result.status.rawValue)"
            if let code = result.exitCode, code != 0 { text += " (exit \(code))" }
            return text
        }
    }

    private func stepName(_ jobID: Int64, _ index: Int) -> String {
        let names = stepNames[jobID] ?? []
        let name = index < names.count ? names[index] : "step"
        let firstLine = name.split(separator: "\n").first.map(String.init) ?? name
        return "\"\(firstLine.count > 60 ? String(firstLine.prefix(57)) + "..." : firstLine)\""
    }
}

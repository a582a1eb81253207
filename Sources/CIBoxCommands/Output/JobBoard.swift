// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxScheduler
import Foundation
import Synchronization

/// One line per job run of a running pipeline, for a terminal: redrawn in place when standard error is a
/// terminal, else printed once for each job state change (so logs of a hook stay readable).
final class JobBoard: PipelineEventSink, Sendable {
    /// A job run's line.
    private struct Row {
        var id: Int64
        var label: TerminalString
        var status: JobStatus
        var detail: TerminalString = ""
    }

    private let rows: Mutex<[Row]>
    private let isLive: Bool
    private let drawn = Mutex(0)

    /// A board for the job runs of `detail`.
    /// - Parameter live: redraw in place (a terminal) rather than print a line per change.
    init(detail: PipelineDetail, live: Bool) {
        var rows: [Row] = []
        for workflow in detail.workflows {
            for job in workflow.jobs {
                let label = ProgressPrinter.label(job.job, workflow: workflow.workflow.name)
                rows.append(Row(id: job.job.id, label: label, status: job.job.status))
            }
        }
        self.rows = Mutex(rows)
        isLive = live
        if live { draw() }
    }

    func handle(_ event: PipelineEvent) async {
        switch event {
        case .jobStatus(let id, let status, _):
            update(id) { row in
                guard row.status != status else { return false }
                row.status = status
                return status != .queued && status != .blocked
            }
        case .jobFinished(let id, let result):
            update(id) { row in
                row.status = result.status
                row.detail = " in \(String(format: "%.2fs", result.finishedAt.timeIntervalSince(result.startedAt)))"
                if let reason = result.failureReason, result.status != .success {
                    row.detail += " (\(reason.rawValue))"
                }
                return true
            }
        case .stepStarted(let jobID, let index, _):
            guard isLive else { return }
            update(jobID) { row in
                row.detail = " step \(index)"
                return true
            }
        case .pipelineStatus, .pipelineFailed, .workflowStatus, .stepFinished, .jobSubmitted:
            return
        }
    }

    /// Changes the row of `id`; prints when `change` says the change is worth showing.
    private func update(_ id: Int64, _ change: (inout Row) -> Bool) {
        let line: TerminalString? = rows.withLock { rows in
            guard let index = rows.firstIndex(where: { $0.id == id }), change(&rows[index]) else { return nil }
            return Self.text(rows[index])
        }
        guard let line else { return }
        if isLive { draw() } else { Terminal.error(line + "\n") }
    }

    /// Redraws every row over the previous drawing.
    private func draw() {
        let lines = rows.withLock { $0.map(Self.text) }
        drawn.withLock { count in
            var text: TerminalString = count > 0 ? "\u{1B}[\(count)A" : ""
            for line in lines { text += "\r\u{1B}[2K" + line + "\n" }
            Terminal.error(text)
            count = lines.count
        }
    }

    private static func text(_ row: Row) -> TerminalString {
        "  \(symbol(row.status)) \(row.label): \(row.status.rawValue)\(row.detail)"
    }

    private static func symbol(_ status: JobStatus) -> TerminalString {
        switch status {
        case .success: "✓"
        case .failed, .interrupted: "✗"
        case .running: "…"
        default: "·"
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxReport
import CIBoxScheduler
import CIBoxStore

/// Keeps the HTML report of one running pipeline up to date: after each job run ends its pages are queued
/// for rewriting, and when the pipeline ends the sink waits until its pages are written (so that `cibox run`
/// and the pre-push gate can print a link that already works).
struct ReportEventSink: PipelineEventSink {
    /// The pipeline the events are about.
    let pipelineID: Int64
    /// The engine's updater.
    let updater: ReportUpdater

    /// Queues the pages an ended job run or a pipeline status change affects; waits for them at the end.
    func handle(_ event: PipelineEvent) async {
        switch event {
        case .jobFinished(let id, _):
            updater.request(pipelineID: pipelineID, jobID: id)
        case .jobStatus(let id, let status, _) where status.isFinal:
            updater.request(pipelineID: pipelineID, jobID: id)
        case .pipelineStatus(_, let status, _):
            updater.request(pipelineID: pipelineID)
            if status.isFinal {
                PhaseMarks.mark("pipeline recorded")
                await updater.flush()
                PhaseMarks.mark("report")
            }
        default:
            break
        }
    }
}

extension PipelineEngine {
    /// The updater of `home`'s report, or nil when `report: false` is set.
    static func makeReportUpdater(
        home: String, store: PipelineStore, settings: Settings, warn: @escaping @Sendable (String) -> Void
    ) -> ReportUpdater? {
        guard settings.writesReport else { return nil }
        let writer = ReportWriter(
            store: store, layout: ReportLayout(home: home), worldReadable: settings.reportIsWorldReadable)
        return ReportUpdater(writer: writer, warn: warn)
    }

    /// The sinks that keep the report of `pipelineID` up to date (none when the report is off).
    func reportSinks(pipelineID: Int64) -> [any PipelineEventSink] {
        reportUpdater.map { [ReportEventSink(pipelineID: pipelineID, updater: $0)] } ?? []
    }
}

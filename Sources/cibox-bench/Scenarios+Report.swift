// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation

extension Scenarios {
    /// One incremental report update (a job of the newest pipeline ended) with 10,000 pipelines in history,
    /// against writing the same files' bytes with plain file writes.
    static func reportIncremental(_ context: BenchContext) throws -> [BenchRow] {
        let home = try BenchFixtures.temporaryFolder("cibox-bench-report")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = try PipelineStore(home: home, concurrentReads: true)
        let newest = try fillReportHistory(store, pipelines: 10_000)
        let layout = ReportLayout(home: home)
        let writer = ReportWriter(store: store, layout: layout)
        let jobID = newest.workflows[0].jobs[1].job.id
        try writer.update(pipelineID: newest.pipeline.id)
        let updated = Clock.medianMilliseconds(context.iterations) {
            try? writer.update(pipelineID: newest.pipeline.id, jobIDs: [jobID])
        }
        // The baseline: the bytes of the same pages, written with plain writes (no queries, no rendering).
        let pages = [
            ReportLayout.indexPage, ReportLayout.pipelinePage(pipelineID: newest.pipeline.id),
            ReportLayout.jobPage(pipelineID: newest.pipeline.id, jobID: jobID),
            ReportLayout.projectPage(projectID: newest.pipeline.projectID),
            ReportLayout.projectListPage(
                projectID: newest.pipeline.projectID,
                page: ReportLayout.listPageNumber(pipelineNumber: newest.pipeline.number)),
            ReportLayout.testsPage(projectID: newest.pipeline.projectID),
            ReportLayout.badge(projectID: newest.pipeline.projectID, branch: newest.pipeline.branch ?? "main"),
        ]
        let contents = try pages.map { try String(contentsOfFile: layout.path($0), encoding: .utf8) }
        let copies = home + "/plain"
        try FileManager.default.createDirectory(atPath: copies, withIntermediateDirectories: true)
        let plain = Clock.medianMilliseconds(context.iterations) {
            for (index, text) in contents.enumerated() { try? FileWriter.write(text, to: copies + "/\(index)") }
        }
        return [
            BenchRow(
                scenario: "report-incremental: one job's pages, 10,000 pipelines in history", figure: updated,
                baseline: plain, unit: "ms", baselineName: "the same \(pages.count) files written plainly",
                goal: "≤ 200 ms")
        ]
    }

    /// Records `count` finished pipelines (3 job runs, 5 test cases each) and returns the newest.
    private static func fillReportHistory(_ store: PipelineStore, pipelines count: Int) throws -> PipelineDetail {
        let project = try store.projects.project(path: "/bench/app", name: "app")
        let step = { (name: String) in StepPlan(name: name, action: .run(RunAction(command: name))) }
        let plan = Plan(
            version: "2.1",
            workflows: [
                WorkflowPlan(
                    name: "ci",
                    jobs: [
                        JobPlan(name: "build", spec: JobSpec(definitionName: "build", steps: [step("make")])),
                        JobPlan(
                            name: "test", requires: [Requirement(job: "build")],
                            spec: JobSpec(definitionName: "test", parallelism: 2, steps: [step("make test")])),
                    ])
            ])
        var newest: PipelineDetail?
        for number in 1...count {
            let detail = try store.pipelines.record(
                NewPipeline(
                    projectID: project.id, number: number, uuid: UUID().uuidString,
                    revision: String(format: "%040d", number / 3), treeID: String(repeating: "0", count: 40),
                    branch: number % 5 == 1 ? "feature-\(number % 20)" : "main", tag: nil, trigger: .push,
                    source: .commit, configHash: "bench", plan: plan))
            let start = Date(timeIntervalSince1970: 1_795_926_700 + Double(number) * 600)
            try store.pipelines.setPipeline(
                detail.pipeline.id, status: number % 7 == 0 ? .failed : .success, startedAt: start,
                finishedAt: start.addingTimeInterval(Double(60 + number % 90)))
            let testJob = detail.workflows[0].jobs[1].job.id
            try store.testCases.recordTestCases(
                (0..<5).map { index in
                    TestCase(
                        className: "Suite\(index % 2)", name: "test\(index)", duration: Double(index) * 0.1,
                        result: (number + index) % 11 == 0 ? .failure : .success, message: "expected")
                }, jobID: testJob)
            newest = detail
        }
        guard let newest else { throw BenchError("no pipeline recorded") }
        for job in newest.workflows[0].jobs {
            try FileManager.default.createDirectory(
                atPath: store.logDirectory(jobID: job.job.id), withIntermediateDirectories: true)
            let log = String(repeating: "\u{1B}[32mok\u{1B}[0m a line of build output\n", count: 2_000)
            try FileWriter.write(log, to: store.logPath(jobID: job.job.id, step: 0))
            try store.jobs.finishStep(
                jobID: job.job.id, index: 0, status: .success, exitCode: 0, logBytes: Int64(log.utf8.count),
                finishedAt: Date())
        }
        return newest
    }
}

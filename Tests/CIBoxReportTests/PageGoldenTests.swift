// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Testing

@testable import CIBoxReport

/// Each page kind against its golden file (deterministic output from fixed model values), and each checked
/// for well-formed, escaped HTML.
@Suite struct PageGoldenTests {
    /// Every page kind, rendered from the fixtures.
    static var pages: [(name: String, html: String)] {
        let history = ReportFixtures.history
        let newest = Array(history.prefix(50))
        return [
            ("index.html", IndexPage.render(ReportFixtures.overviews).markup),
            (
                "project.html",
                ProjectPage.render(
                    ProjectPage.Content(
                        project: ReportFixtures.project, pipelines: newest, workflows: [:], lastNumber: 60,
                        trend: history,
                        page: nil)
                ).markup
            ),
            (
                "project-page-1.html",
                ProjectPage.render(
                    ProjectPage.Content(
                        project: ReportFixtures.project, pipelines: Array(history.suffix(50)), workflows: [:],
                        lastNumber: 60, trend: nil, page: 1)
                ).markup
            ),
            ("tests.html", TestsPage.render(project: ReportFixtures.project, insights: ReportFixtures.insights).markup),
            ("pipeline.html", PipelinePage.render(ReportFixtures.pipelineDetail, plan: ReportFixtures.plan).markup),
            ("job.html", JobPage.render(ReportFixtures.jobContent).markup),
        ]
    }

    @Test(arguments: ["index.html", "project.html", "project-page-1.html", "tests.html", "pipeline.html", "job.html"])
    func pageMatchesItsGoldenFile(_ name: String) throws {
        let html = try #require(Self.pages.first { $0.name == name }?.html)
        try Golden.check(html, name)
        #expect(HTMLChecker.problems(in: html) == [])
    }

    @Test func badgeMatchesItsGoldenFile() throws {
        try Golden.check(Badge.svg(status: "success"), "badge-success.svg")
        #expect(Badge.svg(status: "failed").contains(">failing<"))
    }

    @Test func pipelineDAGPlacesEachJobRightOfWhatItRequires() {
        let workflow = ReportFixtures.pipelineDetail.workflows[0]
        let nodes = WorkflowGraph.layout(workflow, plan: ReportFixtures.plan.workflows[0])
        #expect(nodes.map(\.name) == ["prepare", "lint", "test", "package-and-publish-everything"])
        #expect(nodes.map(\.column) == [0, 1, 1, 2])
        #expect(nodes.map(\.row) == [0, 0, 1, 0])
        #expect(nodes[2].runs.count == 2)
        #expect(WorkflowGraph.combinedStatus(nodes[2].runs) == "failed")
    }

    @Test func failedStepIsOpenAndOthersAreClosed() {
        let html = JobPage.render(ReportFixtures.jobContent).markup
        #expect(html.contains("<details class=\"step\" id=\"step-1\" open>"))
        #expect(html.contains("<details class=\"step\" id=\"step-0\">"))
        #expect(html.contains("Full raw log"))
    }

    @Test func resourceAdviceNamesTheClassesThatWouldBeKilledAndABetterFit() {
        var job = ReportFixtures.jobContent.detail.job
        #expect(ResourceAdvice.notes(for: job).map(\.text) == ["Peak 3.1 GiB: resource_class small would be killed."])
        job.resources.peakMemoryBytes = 100 * 1_048_576
        #expect(
            ResourceAdvice.notes(for: job).map(\.text) == [
                "Peak memory is 2% of the limit: resource_class small (2 GiB) would fit with room to spare."
            ])
        job.resources.peakMemoryBytes = 4_000_000_000
        #expect(
            ResourceAdvice.notes(for: job).contains {
                $0.isWarning && $0.text.contains("consider resource_class medium+")
            })
        job.resources.oomKills = 1
        #expect(
            ResourceAdvice.notes(for: job).first?.text.contains(
                "killed for memory (1 OOM kill(s)) at its limit of 4 GiB") == true)
    }
}

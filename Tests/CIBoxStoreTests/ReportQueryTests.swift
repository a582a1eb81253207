// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ReportQueryTests {
    @Test func overviewsHaveTheNewestPipelineOfEachBranch() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        _ = try store.projects.project(path: "/srv/idle", name: "idle")
        for (number, branch) in [(1, "main"), (2, "dev"), (3, "main")] {
            var new = PipelineStoreTests.newPipeline(projectID: project.id, number: number)
            new.branch = branch
            _ = try store.pipelines.record(new)
        }
        let overviews = try store.report.projectOverviews()
        #expect(overviews.map(\.project.name) == ["app", "idle"])
        #expect(overviews[0].pipelineCount == 3)
        #expect(overviews[0].lastNumber == 3)
        #expect(overviews[0].branches.map(\.branch) == ["dev", "main"])
        #expect(overviews[0].branches.map(\.pipeline.number) == [2, 3])
        #expect(overviews[1].branches.isEmpty)
        #expect(try store.report.recentPipelines(projectID: project.id, limit: 2).map(\.number) == [3, 2])
        #expect(try store.report.pipelines(projectID: project.id, numbers: 1...2).map(\.number) == [2, 1])
    }

    @Test func insightsFindSlowFailingAndFlakyTests() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        var jobs: [Int64] = []
        for number in 1...3 {
            var new = PipelineStoreTests.newPipeline(projectID: project.id, number: number)
            new.revision = number < 3 ? String(repeating: "a", count: 40) : String(repeating: "c", count: 40)
            jobs.append(try store.pipelines.record(new).workflows[0].jobs[0].job.id)
        }
        try store.testCases.recordTestCases(
            [
                TestCase(className: "T", name: "flaky", duration: 1),
                TestCase(className: "T", name: "slow", duration: 5),
                TestCase(className: "T", name: "fails", duration: 1, result: .failure, message: "first"),
            ], jobID: jobs[0])
        try store.testCases.recordTestCases(
            [
                TestCase(className: "T", name: "flaky", duration: 1, result: .failure, message: "boom"),
                TestCase(className: "T", name: "slow", duration: 3),
                TestCase(className: "T", name: "fails", duration: 1, result: .error, message: "second"),
            ], jobID: jobs[1])
        // On another commit the flaky test only fails: that commit does not count.
        try store.testCases.recordTestCases(
            [TestCase(className: "T", name: "flaky", duration: 1, result: .failure, message: "again")], jobID: jobs[2])
        let insights = try store.report.testInsights(projectID: project.id)
        #expect(insights.slowest.first?.name == "slow")
        #expect(insights.slowest.first?.averageSeconds == 4)
        #expect(insights.mostFailing.map(\.name) == ["fails", "flaky"])
        #expect(insights.mostFailing.map(\.failures) == [2, 2])
        #expect(insights.mostFailing.map(\.lastMessage) == ["second", "again"])
        #expect(
            insights.flaky == [
                FlakyTest(
                    className: "T", name: "flaky", commits: 1, revision: String(repeating: "a", count: 40), passes: 1,
                    failures: 1)
            ])
        #expect(try store.report.testInsights(projectID: project.id, window: 1).flaky.isEmpty)
    }
}

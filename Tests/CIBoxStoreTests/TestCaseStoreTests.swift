// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct TestCaseStoreTests {
    @Test func casesAreCountedAndListedFailuresFirst() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let detail = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        let build = detail.workflows[0].jobs[0].job.id
        try store.testCases.recordTestCases(
            [
                TestCase(className: "A", name: "passes", file: "a.py", duration: 1),
                TestCase(className: "A", name: "skips", result: .skipped),
                TestCase(className: "B", name: "fails", file: "b.py", duration: 2, result: .failure, message: "boom"),
                TestCase(className: "B", name: "errors", result: .error, message: "crash"),
            ], jobID: build)
        #expect(try store.testCases.testCounts(jobIDs: [build]) == [build: TestCounts(total: 4, failed: 2, skipped: 1)])
        #expect(try store.testCases.testCases(jobID: build).map(\.name) == ["fails", "errors", "skips", "passes"])
        #expect(try store.testCases.testCases(jobID: build).first?.message == "boom")
        let read = try #require(try store.history.pipelineDetail(id: detail.pipeline.id))
        #expect(read.workflows[0].jobs.map(\.tests.total) == [4, 0, 0])
        #expect(try store.history.jobDetail(id: build)?.tests.failed == 2)
    }

    @Test func timingsAreTheNewestPerFileAndTestOfTheSameJobAndProject() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let other = try store.projects.project(path: "/srv/other", name: "other")
        let first = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        let second = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 2))
        let foreign = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: other.id, number: 1))
        let oldTest = first.workflows[0].jobs[1].job.id
        let newTest = second.workflows[0].jobs[2].job.id  // node 1 of the newer pipeline
        try store.testCases.recordTestCases(
            [
                TestCase(className: "A", name: "one", file: "a.py", duration: 5),
                TestCase(className: "A", name: "two", file: "a.py", duration: 5),
                TestCase(className: "B", name: "three", file: "b.py", duration: 7),
            ], jobID: oldTest)
        try store.testCases.recordTestCases(
            [TestCase(className: "A", name: "one", file: "a.py", duration: 1)], jobID: newTest)
        try store.testCases.recordTestCases(
            [TestCase(className: "C", name: "x", file: "c.py", duration: 9)], jobID: foreign.workflows[0].jobs[1].job.id
        )
        try store.testCases.recordTestCases(
            [TestCase(className: "D", name: "y", file: "d.py", duration: 9)], jobID: first.workflows[0].jobs[0].job.id)
        let timings = try store.testCases.testTimings(projectID: project.id, jobName: "test")
        #expect(timings.byFile == ["a.py": 1, "b.py": 7])
        #expect(timings.byTest["A.one"] == 1)
        #expect(timings.byTest["A.two"] == 5)
        #expect(timings.byTest["three"] == 7)
        #expect(timings.byClass == ["A": 6, "B": 7])
        let older = try store.testCases.testTimings(
            projectID: project.id, jobName: "test", excludingPipeline: second.pipeline.id)
        #expect(older.byFile == ["a.py": 10, "b.py": 7])
        let reader = try PipelineStore(readingHome: home.path)
        #expect(try reader.testCases.testTimings(projectID: project.id, jobName: "test") == timings)
    }

    @Test func readingAMissingStoreIsAnError() {
        #expect(throws: StoreError.self) { try PipelineStore(readingHome: "/nonexistent/cibox-home") }
    }
}

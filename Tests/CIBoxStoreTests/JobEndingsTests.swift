// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct JobEndingsTests {
    @Test func listsTheJobRunsWhoseStatusIsFinalFromATimeOn() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let detail = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        let ids = detail.workflows[0].jobs.map(\.job.id)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try store.jobs.finishJob(
            ids[0], status: .success, exitCode: 0, failureReason: nil, failureMessage: nil,
            startedAt: start, finishedAt: start.addingTimeInterval(90))
        try store.jobs.finishJob(
            ids[1], status: .failed, exitCode: 1, failureReason: nil, failureMessage: nil,
            startedAt: start, finishedAt: start.addingTimeInterval(30))
        try store.jobs.setJob(ids[2], status: .running, startedAt: start)  // not ended: never listed

        #expect(
            try store.history.jobsEnded(since: start) == [
                EndedJob(
                    id: ids[0], project: "app", status: .success, startedAt: start,
                    finishedAt: start.addingTimeInterval(90)),
                EndedJob(
                    id: ids[1], project: "app", status: .failed, startedAt: start,
                    finishedAt: start.addingTimeInterval(30)),
            ])
        #expect(try store.history.jobsEnded(since: start.addingTimeInterval(60)).map(\.id) == [ids[0]])
        #expect(try store.history.jobsEnded(since: start.addingTimeInterval(90)).map(\.duration) == [90])
        #expect(try store.history.jobsEnded(since: start.addingTimeInterval(91)).isEmpty)
    }
}

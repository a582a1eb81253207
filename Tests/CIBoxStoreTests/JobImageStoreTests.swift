// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import GRDB
import Testing

@Suite struct JobImageStoreTests {
    static let image = JobImage(
        reference: "docker.io/library/postgres:16", digest: "sha256:" + String(repeating: "0f", count: 32))

    /// Finishes job run `id` as passed, in `image`.
    static func finish(_ store: PipelineStore, _ id: Int64, image: JobImage?) throws {
        try store.jobs.finishJob(
            id, status: .success, exitCode: 0, failureReason: nil, failureMessage: nil, startedAt: nil,
            finishedAt: Date(timeIntervalSince1970: 2_000), image: image)
    }

    @Test func aFinishedJobKeepsItsImageAndAJobOnTheHostHasNone() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let detail = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        let jobs = detail.workflows[0].jobs.map(\.job)
        #expect(jobs.allSatisfy { $0.image == nil }, "a job that has not run has no image")
        try Self.finish(store, jobs[0].id, image: Self.image)
        try Self.finish(store, jobs[1].id, image: nil)
        let read = try #require(try store.history.pipelineDetail(id: detail.pipeline.id)).workflows[0].jobs
        #expect(read.map(\.job.image) == [Self.image, nil, nil])
    }

    @Test func aDatabaseOfAnEarlierCiboxGainsTheImageColumns() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let pipelineID: Int64
        let jobIDs: [Int64]
        do {
            let store = try PipelineStore(home: home.path)
            let project = try store.projects.project(path: "/srv/app", name: "app")
            let detail = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
            pipelineID = detail.pipeline.id
            jobIDs = detail.workflows[0].jobs.map(\.job.id)
            try Self.finish(store, jobIDs[0], image: nil)
        }
        // The database as the cibox before v14-add-job-image left it: no image columns, the migration not run.
        let database = try DatabaseQueue(path: PipelineStore.databasePath(home: home.path))
        try database.write { db in
            try db.execute(sql: "ALTER TABLE job DROP COLUMN imageReference")
            try db.execute(sql: "ALTER TABLE job DROP COLUMN imageDigest")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v14-add-job-image'")
        }
        try database.close()

        let store = try PipelineStore(home: home.path)
        let columns = try DatabaseQueue(path: PipelineStore.databasePath(home: home.path)).read { db in
            try db.columns(in: "job").map(\.name)
        }
        #expect(columns.suffix(2) == ["imageReference", "imageDigest"])
        let before = try #require(try store.history.jobDetail(id: jobIDs[0])).job
        #expect(before.status == .success && before.image == nil, "a job recorded before the migration has no image")
        try Self.finish(store, jobIDs[1], image: Self.image)
        #expect(try store.history.jobDetail(id: jobIDs[1])?.job.image == Self.image)
        #expect(try store.history.pipelineDetail(id: pipelineID)?.workflows[0].jobs[2].job.image == nil)
    }
}

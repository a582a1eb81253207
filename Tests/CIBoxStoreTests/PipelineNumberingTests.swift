// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct PipelineNumberingTests {
    @Test func numbersAreNeverGivenAgainAfterEveryPipelineIsDeleted() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let first = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        let second = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 2))
        try store.retention.deletePipelines(ids: [first.pipeline.id, second.pipeline.id])
        #expect(try store.history.pipelines().isEmpty)
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 3)
        #expect(throws: StoreError.self) {
            try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        }
        #expect(
            try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 3)).pipeline.number
                == 3)
    }

    @Test func aNumberBelowTheNextIsAConflictNamingTheNext() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        _ = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 5))
        do {
            _ = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 4))
            Issue.record("number 4 was recorded after 5")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.message == "Pipeline number 4 is taken: the project's next number is 6.")
        }
    }

    @Test func aPipelineThatTakesTheNextNumberGetsItWhateverItAskedFor() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        _ = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        var rerun = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        rerun.takesNextNumber = true
        #expect(try store.pipelines.record(rerun).pipeline.number == 2)
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 3)
    }

    @Test func aReservedNumberIsRecordedAfterLaterOnesAndNeverGivenToAnother() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/app", name: "app")
        let reserved = try store.pipelines.reserveNumber(projectID: project.id)
        #expect(reserved == 1)
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 2)
        #expect(throws: StoreError.self) {
            try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        }
        _ = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 2))
        var late = PipelineStoreTests.newPipeline(projectID: project.id, number: reserved)
        late.numberIsReserved = true
        #expect(try store.pipelines.record(late).pipeline.number == 1)
        #expect(try store.pipelines.nextPipelineNumber(projectID: project.id) == 3)
    }

    @Test func sixteenWritersNumberingAtOnceGetOneToSixteen() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let path = home.path
        let projectID = try PipelineStore(home: path).projects.project(path: "/srv/app", name: "app").id
        // As the engine does: read the next number, record with it, and on a conflict read it again.
        let numbers = await onThreads(16) { _ -> Int? in
            guard let store = try? PipelineStore(home: path) else { return nil }
            while let next = try? store.pipelines.nextPipelineNumber(projectID: projectID) {
                let new = PipelineStoreTests.newPipeline(projectID: projectID, number: next)
                do {
                    return try store.pipelines.record(new).pipeline.number
                } catch let error as StoreError where error.code == .conflict {
                    continue
                } catch {
                    return nil
                }
            }
            return nil
        }
        #expect(numbers.compactMap { $0 }.sorted() == Array(1...16))
    }
}

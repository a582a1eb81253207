// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Testing

@Suite struct PipelinePageTests {
    @Test func pagesAreNewestFirstFilteredAndStartBeforeAnID() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let app = try store.projects.project(path: "/srv/app", name: "app")
        let web = try store.projects.project(path: "/srv/web", name: "web")
        var ids: [Int64] = []
        for number in 1...3 {
            ids.append(
                try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: app.id, number: number)).pipeline
                    .id)
        }
        var other = PipelineStoreTests.newPipeline(projectID: web.id, number: 1)
        other.branch = "feature"
        let webID = try store.pipelines.record(other).pipeline.id
        let history = store.history

        #expect(try history.pipelines(matching: PipelineFilter(), before: nil, limit: 2).map(\.id) == [webID, ids[2]])
        #expect(
            try history.pipelines(matching: PipelineFilter(), before: ids[2], limit: 2).map(\.id) == [ids[1], ids[0]])
        #expect(
            try history.pipelines(matching: PipelineFilter(project: "app"), before: nil, limit: 9).map(\.id)
                == ids.reversed())
        #expect(try history.pipelines(matching: PipelineFilter(project: "none"), before: nil, limit: 9).isEmpty)
        #expect(
            try history.pipelines(matching: PipelineFilter(branch: "feature"), before: nil, limit: 9).map(\.id) == [
                webID
            ])
        #expect(try history.pipelines(matching: PipelineFilter(status: .queued), before: nil, limit: 9).count == 4)
        #expect(try history.pipelines(matching: PipelineFilter(status: .success), before: nil, limit: 9).isEmpty)
    }
}

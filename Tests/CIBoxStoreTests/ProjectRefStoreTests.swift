// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ProjectRefStoreTests {
    static let a = String(repeating: "a", count: 40)
    static let b = String(repeating: "b", count: 40)

    @Test func refsRoundTripAndAreReplacedWhole() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/git/app.git", name: "app")
        let other = try store.projects.project(path: "/srv/git/lib.git", name: "lib")
        #expect(try store.projects.refs(projectID: project.id).isEmpty)
        let first = ["refs/heads/main": Self.a, "refs/tags/v1": Self.b, "refs/heads/dev": Self.a]
        try store.projects.saveRefs(projectID: project.id, refs: first)
        try store.projects.saveRefs(projectID: other.id, refs: ["refs/heads/main": Self.b])
        #expect(try store.projects.refs(projectID: project.id) == first)
        let second = ["refs/heads/main": Self.b]
        try store.projects.saveRefs(projectID: project.id, refs: second)
        #expect(try store.projects.refs(projectID: project.id) == second)
        #expect(try store.projects.refs(projectID: other.id) == ["refs/heads/main": Self.b])
        #expect(try store.projects.refCounts() == [project.id: 1, other.id: 1])
        // Reopening reads the same rows.
        #expect(try PipelineStore(home: home.path).projects.refs(projectID: project.id) == second)
    }

    @Test func recordingAPipelineRemembersItsRefAsSeenInTheSameTransaction() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/git/app.git", name: "app")
        try store.projects.saveRefs(projectID: project.id, refs: ["refs/heads/main": Self.a, "refs/tags/v1": Self.a])
        var new = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        new.seenRef = ("refs/heads/main", Self.b)
        _ = try store.pipelines.record(new)
        #expect(try store.projects.refs(projectID: project.id) == ["refs/heads/main": Self.b, "refs/tags/v1": Self.a])
        // A number that is taken records nothing, and the ref stays as it was.
        var taken = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        taken.seenRef = ("refs/heads/feature", Self.b)
        #expect(throws: StoreError.self) { _ = try store.pipelines.record(taken) }
        #expect(try store.projects.refs(projectID: project.id)["refs/heads/feature"] == nil)
    }

    @Test func projectByNameAndRemovalCascades() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.projects.project(path: "/srv/git/app.git", name: "app")
        try store.projects.saveRefs(projectID: project.id, refs: ["refs/heads/main": Self.a])
        _ = try store.pipelines.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        #expect(try store.projects.project(named: "app")?.id == project.id)
        #expect(try store.projects.project(named: "nope") == nil)
        #expect(try store.projects.removeProject(named: "app").path == project.path)
        #expect(try store.projects.project(named: "app") == nil)
        #expect(try store.projects.refs(projectID: project.id).isEmpty)
        #expect(try store.history.pipelines(projectID: project.id).isEmpty)
        let error = #expect(throws: StoreError.self) { try store.projects.removeProject(named: "app") }
        #expect(error?.code == .notFound)
    }
}

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
        let project = try store.project(path: "/srv/git/app.git", name: "app")
        let other = try store.project(path: "/srv/git/lib.git", name: "lib")
        #expect(try store.refs(projectID: project.id).isEmpty)
        let first = ["refs/heads/main": Self.a, "refs/tags/v1": Self.b, "refs/heads/dev": Self.a]
        try store.saveRefs(projectID: project.id, refs: first)
        try store.saveRefs(projectID: other.id, refs: ["refs/heads/main": Self.b])
        #expect(try store.refs(projectID: project.id) == first)
        let second = ["refs/heads/main": Self.b]
        try store.saveRefs(projectID: project.id, refs: second)
        #expect(try store.refs(projectID: project.id) == second)
        #expect(try store.refs(projectID: other.id) == ["refs/heads/main": Self.b])
        #expect(try store.refCounts() == [project.id: 1, other.id: 1])
        // Reopening reads the same rows.
        #expect(try PipelineStore(home: home.path).refs(projectID: project.id) == second)
    }

    @Test func recordingAPipelineRemembersItsRefAsSeenInTheSameTransaction() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.project(path: "/srv/git/app.git", name: "app")
        try store.saveRefs(projectID: project.id, refs: ["refs/heads/main": Self.a, "refs/tags/v1": Self.a])
        var new = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        new.seenRef = ("refs/heads/main", Self.b)
        _ = try store.record(new)
        #expect(try store.refs(projectID: project.id) == ["refs/heads/main": Self.b, "refs/tags/v1": Self.a])
        // A number that is taken records nothing, and the ref stays as it was.
        var taken = PipelineStoreTests.newPipeline(projectID: project.id, number: 1)
        taken.seenRef = ("refs/heads/feature", Self.b)
        #expect(throws: StoreError.self) { _ = try store.record(taken) }
        #expect(try store.refs(projectID: project.id)["refs/heads/feature"] == nil)
    }

    @Test func projectByNameAndRemovalCascades() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let project = try store.project(path: "/srv/git/app.git", name: "app")
        try store.saveRefs(projectID: project.id, refs: ["refs/heads/main": Self.a])
        _ = try store.record(PipelineStoreTests.newPipeline(projectID: project.id, number: 1))
        #expect(try store.project(named: "app")?.id == project.id)
        #expect(try store.project(named: "nope") == nil)
        #expect(try store.removeProject(named: "app").path == project.path)
        #expect(try store.project(named: "app") == nil)
        #expect(try store.refs(projectID: project.id).isEmpty)
        #expect(try store.pipelines(projectID: project.id).isEmpty)
        let error = #expect(throws: StoreError.self) { try store.removeProject(named: "app") }
        #expect(error?.code == .notFound)
    }
}

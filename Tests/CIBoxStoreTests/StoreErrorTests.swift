// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct StoreErrorTests {
    @Test func aFailedWriteKeepsTheDatabaseErrorAsItsCauseWithoutBoundValues() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let secret = "bound-value-that-must-not-leak"
        // No project 9999: the insert breaks the foreign key, with `secret` among its bound values.
        let error = #expect(throws: StoreError.self) {
            try store.projects.saveRefs(projectID: 9999, refs: ["refs/heads/main": secret])
        }
        let cause = try #require(error?.cause)
        var dumped = ""
        dump(cause, to: &dumped)
        #expect(dumped.contains("FOREIGN KEY constraint failed"))
        #expect(dumped.contains("INSERT INTO \"projectRef\""))
        #expect(!dumped.contains(secret))
        #expect(error?.message.contains(secret) == false)
        #expect(error?.code == .database)
    }

    @Test func anErrorTheStoreFindsItselfHasNoCause() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let store = try PipelineStore(home: home.path)
        let error = #expect(throws: StoreError.self) { try store.projects.removeProject(named: "nope") }
        #expect(error?.code == .notFound)
        #expect(error?.cause == nil)
    }

    @Test func aFolderThatCannotBeMadeKeepsTheFileSystemError() throws {
        let home = try TemporaryDirectory(prefix: "cibox-store")
        defer { home.remove() }
        let file = home.path + "/file"
        try Data().write(to: URL(fileURLWithPath: file))
        let error = #expect(throws: StoreError.self) { try PipelineStore(home: file + "/home") }
        #expect(error?.code == .cannotOpen)
        #expect(error?.cause != nil)
    }
}

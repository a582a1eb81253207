// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

/// The idle daemon skips its store queries while the change stamp stays: a commit by any process must move it, and
/// reads must not.
@Suite struct StoreChangeStampTests {
    @Test func aCommitOfAnotherProcessMovesTheStampAndReadsDoNot() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let daemon = try PipelineStore(home: home.path, concurrentReads: true)
        let before = daemon.changeStamp
        _ = try daemon.projects.projects()
        _ = try daemon.handoffs.take(owner: ProcessIdentity(pid: 1, startTime: 1))
        #expect(daemon.changeStamp == before, "reads and a hand-over check that takes nothing leave it")

        // Another "process": its own connection, as `cibox trigger` or `cibox project add` has.
        let other = try PipelineStore(home: home.path)
        var stamps = [before]
        for name in ["a", "b", "c"] {
            _ = try other.projects.project(path: "/srv/\(name)", name: name)
            let stamp = daemon.changeStamp
            #expect(!stamps.contains(stamp), "each commit gives a new stamp")
            stamps.append(stamp)
        }
        daemon.releaseMemory()
        #expect(try daemon.projects.projects().map(\.name) == ["a", "b", "c"])
    }
}

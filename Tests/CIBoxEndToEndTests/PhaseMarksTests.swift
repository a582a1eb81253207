// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `CIBOX_PHASES`: the marks `cibox-bench phases` splits a whole `cibox run` with.
@Suite(.serialized, .machineSlot) struct PhaseMarksTests {
    @Test func aRunMarksEveryPhaseInOrderInTheNamedFile() async throws {
        var cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - checkout
                      - run: "true"
                workflows:
                  w:
                    jobs: [build]
                """)
        let folder = try TemporaryDirectory(prefix: "cibox-phases")
        defer { cli.home.remove(); repo.remove(); folder.remove() }
        let file = folder.path + "/marks"
        cli.environment["CIBOX_PHASES"] = file
        let marked = try await cli.run(["run", repo.path])
        #expect(marked.status == 0, "\(marked.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
        let pid = try #require(lines.first?.first)
        let own = lines.filter { $0[0] == pid }
        #expect(
            own.map { $0[2] } == [
                "main", "arguments", "store open", "settings", "engine", "settle", "config read", "project", "compile",
                "record",
                "job start", "job folders and sandbox", "step 1: Checkout code", "step 2: true", "teardown",
                "pipeline recorded", "report", "cleanups", "pipeline", "summary",
            ])
        let times = own.compactMap { UInt64($0[1]) }
        #expect(times.count == own.count && times == times.sorted(), "the marks' times go forward: \(times)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

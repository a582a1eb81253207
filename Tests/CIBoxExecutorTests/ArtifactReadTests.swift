// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

/// `ArtifactStore.file(jobID:path:)`: what the HTTP API may send of a job's artifacts.
@Suite struct ArtifactReadTests {
    @Test func onlyRegularFilesInsideTheJobsFolderAreFound() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = ArtifactStore(home: home.path)
        try home.write("report\n", to: "artifacts/7/out/report.txt")
        try home.write("other job\n", to: "artifacts/8/secret.txt")
        try home.write("outside\n", to: "outside.txt")
        let folder = store.folder(jobID: 7)
        try FileManager.default.createSymbolicLink(atPath: folder + "/inside", withDestinationPath: "out/report.txt")
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/escape", withDestinationPath: home.appending("outside.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/neighbour", withDestinationPath: "../8")

        let real = try #require(store.file(jobID: 7, path: "out/report.txt"))
        #expect(FileManager.default.contents(atPath: real) == Data("report\n".utf8))
        #expect(store.file(jobID: 7, path: "inside") == real, "a link that stays inside is followed")
        for refused in [
            "escape", "neighbour/secret.txt", "../8/secret.txt", "out/../../8/secret.txt", "/etc/passwd",
            "out", "out//report.txt", "./out/report.txt", "out/missing", "", "out/report.txt/",
        ] {
            #expect(store.file(jobID: 7, path: refused) == nil, "\(refused)")
        }
        #expect(store.file(jobID: 9, path: "out/report.txt") == nil, "a job without artifacts")
    }
}

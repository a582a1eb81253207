// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ArtifactStoreTests {
    @Test(arguments: ["..", "../x", "a/../../b", "reports/../../.."])
    func destinationsLeavingTheFolderAreRefused(destination: String) throws {
        let store = ArtifactStore(home: "/state")
        #expect(store.target(jobID: 3, destination: destination) == nil)
    }

    @Test func destinationsStayInsideTheJobsFolder() {
        let store = ArtifactStore(home: "/state")
        #expect(store.target(jobID: 3, destination: "/abs/dir") == "/state/artifacts/3/abs/dir")
        #expect(store.target(jobID: 3, destination: "./r") == "/state/artifacts/3/r")
    }

    @Test func symlinksOutsideTheJobAreRefusedAndInsideAreCopied() throws {
        let home = try TemporaryDirectory()
        let job = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        defer { [home, job, outside].forEach { $0.remove() } }
        try outside.write("secret", to: "secret.txt")
        try job.write("<html>", to: "out/index.html")
        try FileManager.default.createSymbolicLink(
            atPath: job.appending("out/secret"), withDestinationPath: outside.appending("secret.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: job.appending("out/alias.html"), withDestinationPath: "index.html")
        let store = ArtifactStore(home: home.path)
        var lines: [String] = []
        let count = try ArtifactStore.copy(
            job.appending("out"), to: store.folder(jobID: 1) + "/out", allowedRoot: job.path
        ) { lines.append($0) }
        #expect(count == 2)
        #expect(
            store.list(jobID: 1) == [
                ArtifactFile(path: "out/alias.html", size: 6), ArtifactFile(path: "out/index.html", size: 6),
            ])
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Refused '\(job.appending("out/secret"))': a symbolic link to ") == true)
    }
}

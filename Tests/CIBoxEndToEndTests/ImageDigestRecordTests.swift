// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A tag loaded again with another image: `cibox image list` shows the old one's digest record and
/// `cibox image remove` removes it.
@Suite struct ImageDigestRecordTests {
    @Test func aMovedTagsOldImageIsListedAndRemovedByItsDigestRecord() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        var digests: [String] = []
        for name in ["a", "b"] {
            let path = cli.home.path + "-\(name).tar"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let image = try TestImage.busybox(extraLayers: [[.file("which", name)]])
            try TestImageArchive.dockerArchive(image, repoTags: ["team/app:1"]).writeArchive(to: path)
            let loaded = try await cli.run(["image", "load", path])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            digests.append(String(try #require(loaded.stdout.split(separator: "(").last?.dropLast(2))))
        }
        let pinned = "docker.io/team/app@" + digests[0]
        let list = try await cli.run(["image", "list"]).stdout.split(separator: "\n").map {
            $0.split(separator: "\t").prefix(2).joined(separator: " ")
        }
        #expect(list == ["docker.io/team/app:1 \(digests[1])", "\(pinned) \(digests[0])"])
        let removed = try await cli.run(["image", "remove", "team/app:1@" + digests[0]])
        #expect(removed.stdout == "Removed \(pinned) (\(digests[0]))\n", "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.home.appending("images/roots/" + digests[0].dropFirst(7))))
        #expect(try await cli.run(["image", "list"]).stdout.hasPrefix("docker.io/team/app:1\t\(digests[1])\t"))
    }
}

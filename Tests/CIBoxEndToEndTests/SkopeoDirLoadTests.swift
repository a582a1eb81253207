// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `cibox image load` of what `skopeo copy docker://… dir:FOLDER` wrote from a real registry on loopback.
@Suite(.enabled(if: TestRegistry.isAvailable, "needs skopeo, docker-registry and htpasswd"))
struct SkopeoDirLoadTests {
    @Test(.timeLimit(.minutes(2)))
    func aDirFolderSkopeoPulledLoadsWithTheRegistrysDigest() async throws {
        let registry = try await TestRegistry()
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-dir-load")
        defer { registry.remove(); cli.home.remove(); folder.remove() }
        let reference = "\(registry.host)/team/app:1"
        let archive = folder.appending("image.tar")
        try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["team/app:1"]).writeArchive(to: archive)
        try await registry.push(archive: archive, as: "team/app:1")
        let out = folder.appending("out")
        let pull = try await ProcessRunner.run(
            "/usr/bin/skopeo", ["copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + out])
        #expect(pull.status == 0, "\(pull.stderr)")
        let digest = try await registry.digest(of: "team/app:1")
        let loaded = try await cli.run(["image", "load", out, "--tag", reference])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout == "Loaded \(reference) (\(digest))\n")
        let root = cli.home.appending("images/roots/" + digest.dropFirst(7))
        #expect(
            FileManager.default.contents(atPath: root + "/bin/busybox")
                == FileManager.default.contents(atPath: "/bin/busybox"))
    }
}

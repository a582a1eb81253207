// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// `cibox image load` on archives that are damaged, lie about their content, or are for another machine.
@Suite struct ImageInputTests {
    /// A home holding one good image, and the paths of archives written beside it.
    struct Setup {
        let cli: CLI
        var paths: [String] = []

        init() async throws {
            cli = try CLI()
            let good = try write(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["good:1"]))
            #expect(try await cli.run(["image", "load", good]).status == 0)
        }

        mutating func write(_ archive: TestImageArchive, tar: [UInt8]? = nil) throws -> String {
            let path = cli.home.path + "-\(paths.count).tar"
            try Data(tar ?? archive.tar()).write(to: URL(fileURLWithPath: path))
            paths.append(path)
            return path
        }

        func remove() {
            for path in paths + [cli.home.path] { try? FileManager.default.removeItem(atPath: path) }
        }

        /// Loads `path`, expects exit status 2, and returns standard error; the store must not change.
        func refusal(_ path: String) async throws -> String {
            let before = FolderSnapshot.of(cli.home.appending("images"))
            let run = try await cli.run(["image", "load", path])
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(FolderSnapshot.of(cli.home.appending("images")) == before)
            return run.stderr
        }
    }

    @Test func aTwoPlatformIndexPicksThisMachinesImageAndAnotherMachinesIsRefused() async throws {
        var setup = try await Setup()
        defer { setup.remove() }
        let (other, host) = try TestImage.twoPlatforms()
        let both = try TestImageArchive.platformIndex([other, host], annotations: ["io.containerd.image.name": "m:1"])
        let loaded = try await setup.cli.run(["image", "load", try setup.write(both)])
        #expect(loaded.stdout == "Loaded docker.io/library/m:1 (\(both.manifestDigests[1]))\n", "\(loaded.stderr)")
        let root = setup.cli.home.appending("images/roots/" + both.manifestDigests[1].dropFirst(7))
        #expect(FileManager.default.contents(atPath: root + "/which") == Data("host".utf8))

        let otherOnly = try setup.write(
            try TestImageArchive.platformIndex([other], annotations: ["io.containerd.image.name": "m:2"]))
        #expect(
            try await setup.refusal(otherOnly)
                == "error: '\(otherOnly)' has no image for \(HostPlatform.current) (it has \(other.platform)).\n")
        let single = try setup.write(try TestImageArchive.dockerArchive(other, repoTags: ["m:3"]))
        #expect(
            try await setup.refusal(single)
                == "error: The image in '\(single)' is for \(other.platform); this machine runs "
                + "\(HostPlatform.current).\n")
    }

    @Test func damagedArchivesAreRefusedWithWhatIsWrong() async throws {
        var setup = try await Setup()
        defer { setup.remove() }
        let archive = try TestImageArchive.ociLayout([
            (try TestImage.busybox(extraLayers: [[.file("etc/motd", "hi\n")]]), ["io.containerd.image.name": "bad:1"])
        ])
        let manifestBytes = archive.files[TestImageArchive.blobPath(archive.manifestDigests[0])] ?? []
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(manifestBytes))

        let tar = archive.tar()
        let truncated = try setup.write(archive, tar: Array(tar.prefix(tar.count / 2 + 100)))
        let truncatedError = try await setup.refusal(truncated)
        #expect(truncatedError.hasPrefix("error: Cannot read the image archive '\(truncated)': Cannot read '"))
        #expect(truncatedError.hasSuffix("from '\(truncated)': Truncated tar archive.\n"), "\(truncatedError)")

        var damaged = archive
        let layer = TestImageArchive.blobPath(manifest.layers[1].digest)
        damaged.files[layer]?[10] ^= 0xff
        let mismatch = try setup.write(damaged)
        let found = "sha256:" + SHA256Digest.hex(SHA256Digest.of(damaged.files[layer] ?? []))
        #expect(
            try await setup.refusal(mismatch)
                == "error: Layer 2 in '\(mismatch)' does not match its digest: expected \(manifest.layers[1].digest), "
                + "found \(found).\n")

        let unnamed = try setup.write(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: nil))
        #expect(
            try await setup.refusal(unnamed)
                == "error: '\(unnamed)' does not name its image (no RepoTags, io.containerd.image.name or full "
                + "org.opencontainers.image.ref.name): give it one with --tag REF.\n")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// Damaged, lying or unknown input: a clear error naming the file and what is wrong, and the store unchanged.
@Suite struct BadInputTests {
    /// A store holding one good image, a snapshot of it, and an OCI layout of another image to damage.
    func prepared() throws -> (StoreFixture, [String], TestImageArchive, ImageManifest) {
        let fixture = try StoreFixture()
        _ = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["good:1"]))
        let archive = try TestImageArchive.ociLayout([
            (try TestImage.busybox(extraLayers: [[.file("etc/motd", "hi\n")]]), ["io.containerd.image.name": "bad:1"])
        ])
        let manifestBytes = archive.files[TestImageArchive.blobPath(archive.manifestDigests[0])] ?? []
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(manifestBytes))
        return (fixture, fixture.snapshot(), archive, manifest)
    }

    /// Loads `archive` written as a tar and returns the error's message; checks the store did not change.
    func refusal(_ fixture: StoreFixture, _ before: [String], _ archive: TestImageArchive, tar: [UInt8]? = nil)
        throws -> (String?, String)
    {
        let path = fixture.folder.appending("bad.tar")
        try Data(tar ?? archive.tar()).write(to: URL(fileURLWithPath: path))
        let message = fixture.message { _ = try fixture.store.load(path) }
        #expect(fixture.snapshot() == before, "the store is unchanged")
        return (message, path)
    }

    @Test func aLayerThatDoesNotMatchItsDigestIsRefused() throws {
        let (fixture, before, archive, manifest) = try prepared()
        defer { fixture.remove() }
        var damaged = archive
        let layer = manifest.layers[1].digest
        var bytes = damaged.files[TestImageArchive.blobPath(layer)] ?? []
        bytes[bytes.count / 2] ^= 0xff
        damaged.files[TestImageArchive.blobPath(layer)] = bytes
        let (message, path) = try refusal(fixture, before, damaged)
        let found = "sha256:" + sha256Hex(bytes)
        #expect(message == "Layer 2 in '\(path)' does not match its digest: expected \(layer), found \(found).")
    }

    @Test func aBlobOfTheWrongSizeIsRefused() throws {
        let (fixture, before, archive, manifest) = try prepared()
        defer { fixture.remove() }
        var damaged = archive
        damaged.files[TestImageArchive.blobPath(manifest.config.digest)]?.append(0x20)
        let (message, path) = try refusal(fixture, before, damaged)
        #expect(
            message
                == "The config (\(manifest.config.digest)) in '\(path)' is \(manifest.config.size + 1) bytes; its "
                + "descriptor says \(manifest.config.size).")
    }

    @Test func aMissingBlobIsRefused() throws {
        let (fixture, before, archive, manifest) = try prepared()
        defer { fixture.remove() }
        var damaged = archive
        damaged.files[TestImageArchive.blobPath(manifest.layers[0].digest)] = nil
        let (message, path) = try refusal(fixture, before, damaged)
        #expect(message == "'\(path)' lacks layer 1 (\(manifest.layers[0].digest)).")
    }

    @Test func anUnknownLayerMediaTypeIsRefused() throws {
        let (fixture, before, archive, manifest) = try prepared()
        defer { fixture.remove() }
        var changed = manifest
        changed.layers[1].mediaType = "application/vnd.example.squashfs"
        var damaged = archive
        let bytes = TestImage.json(changed)
        let digest = damaged.addBlob(bytes)
        damaged.files["index.json"] = TestImage.json(
            ImageIndex(manifests: [
                Descriptor(
                    mediaType: MediaTypes.ociManifest, digest: digest, size: Int64(bytes.count),
                    annotations: ["io.containerd.image.name": "bad:1"])
            ]))
        let (message, path) = try refusal(fixture, before, damaged)
        #expect(message == "Layer 2 in '\(path)' has the unknown media type 'application/vnd.example.squashfs'.")
    }

    @Test func aTruncatedArchiveIsRefused() throws {
        let (fixture, before, archive, _) = try prepared()
        defer { fixture.remove() }
        let tar = archive.tar()
        let (message, path) = try refusal(fixture, before, archive, tar: Array(tar.prefix(tar.count / 2 + 100)))
        #expect(message?.hasPrefix("Cannot read the image archive '\(path)': ") == true, "\(message ?? "")")
        #expect(message?.contains("runcated") == true, "\(message ?? "")")
    }

    @Test func somethingThatIsNoImageIsRefused() throws {
        let (fixture, before, _, _) = try prepared()
        defer { fixture.remove() }
        let (message, path) = try refusal(
            fixture, before, TestImageArchive(), tar: TarWriter.archive([.file("README", "not an image")]))
        #expect(
            message
                == "'\(path)' is not an image archive: it has neither an index.json (OCI) nor a manifest.json "
                + "(docker-archive).")
    }

    @Test func aDockerArchiveLayerThatDoesNotMatchTheConfigIsRefused() throws {
        let (fixture, before, _, _) = try prepared()
        defer { fixture.remove() }
        var archive = try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bad:2"])
        let name = try #require(archive.files.keys.first { $0.hasSuffix("/layer.tar") })
        archive.files[name]?[600] ^= 0x01
        let (message, path) = try refusal(fixture, before, archive)
        let expected = "sha256:" + name.dropLast("/layer.tar".count)
        let found = "sha256:" + sha256Hex(archive.files[name] ?? [])
        #expect(
            message
                == "Layer 1 (\(name)) in '\(path)' does not match the config's diff_ids: expected \(expected), found "
                + "\(found).")
    }

    @Test(arguments: HostileLayer.allCases)
    func anUnsafeLayerIsRefusedAtLoad(kind: HostileLayer) throws {
        let (fixture, before, _, _) = try prepared()
        defer { fixture.remove() }
        let outside = try TemporaryDirectory(prefix: "cibox-outside")
        defer { try? FileManager.default.removeItem(atPath: outside.path) }
        try outside.write("keep me\n", to: "victim")
        let image = try TestImage.busybox(extraLayers: kind.layers(outside: outside.path))
        let archive = try TestImageArchive.dockerArchive(image, repoTags: ["hostile:1"])
        let (message, _) = try refusal(fixture, before, archive)
        #expect(message?.hasPrefix(kind.refusedName) == true, "\(message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["victim"])
    }
}

/// The hex SHA-256 of `bytes`.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256Digest.hex(SHA256Digest.of(bytes))
}

/// Blobs that are links to the machine's files are refused: a blob is always a regular file of the archive.
@Suite struct LinkedBlobTests {
    @Test func aDockerArchiveLayerLinkedOutsideIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let manifest = TestImage.json([
            DockerArchiveEntry(config: "config.json", repoTags: ["linked:1"], layers: ["layer.tar"])
        ])
        let tar = TarWriter.archive([
            TarEntry("manifest.json", .file(manifest)), TarEntry("config.json", .symlink("/etc/passwd")),
            TarEntry("layer.tar", .symlink("/etc/passwd")),
        ])
        let path = fixture.folder.appending("linked.tar")
        try Data(tar).write(to: URL(fileURLWithPath: path))
        #expect(
            fixture.message { _ = try fixture.store.load(path) }
                == "The config (config.json) in '\(path)' is not a regular file.")
        #expect(fixture.snapshot().isEmpty)
    }

    @Test func anOCIBlobLinkedOutsideIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.ociLayout([(try TestImage.busybox(), ["io.containerd.image.name": "l:1"])])
        let manifestBytes = archive.files[TestImageArchive.blobPath(archive.manifestDigests[0])] ?? []
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(manifestBytes))
        let layout = fixture.folder.appending("layout")
        try archive.writeFolder(to: layout)
        let config = layout + "/" + TestImageArchive.blobPath(manifest.config.digest)
        try FileManager.default.removeItem(atPath: config)
        try FileManager.default.createSymbolicLink(atPath: config, withDestinationPath: "/etc/passwd")
        #expect(
            fixture.message { _ = try fixture.store.load(layout) }
                == "The config (\(manifest.config.digest)) in '\(layout)' is not a regular file.")
    }
}

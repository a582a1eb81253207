// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// skopeo's `dir:` layout (what a pull writes): loaded under the given tag, every blob checked, a pinned digest held.
@Suite struct DirectoryLayoutTests {
    @Test func aDirFolderLoadsUnderItsTagWithItsRegistryDigest() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.ociLayout([(try TestImage.busybox(), [:])])
        let folder = try fixture.writeDirectory(archive)
        let digest = archive.manifestDigests[0]
        let loaded = try fixture.store.load(folder, tag: "localhost:5000/team/app:1", expectedDigest: digest)
        #expect(loaded.map(\.reference) == ["localhost:5000/team/app:1"])
        #expect(loaded.map(\.digest) == [digest])
        let prepared = try fixture.store.prepare("localhost:5000/team/app:1@" + digest)
        #expect(prepared.image.configuration.config?.user == "tester")
        #expect(
            FileReader.contents(atPath: prepared.root + "/bin/busybox") == FileReader.contents(atPath: "/bin/busybox"))
        #expect(FileManager.default.fileExists(atPath: folder + "/manifest.json"), "the input is left as it was")
        #expect(
            fixture.message { _ = try fixture.store.load(folder) }
                == "'\(folder)' is skopeo's dir: layout, which does not name its image: give it one with --tag REF.")
    }

    @Test func anotherDigestThanTheExpectedOneIsRefusedBeforeAnythingEntersTheStore() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"]))
        let before = fixture.snapshot()
        let archive = try TestImageArchive.ociLayout([(try TestImage.busybox(extraLayers: [[.file("a", "1")]]), [:])])
        let folder = try fixture.writeDirectory(archive)
        let expected = "sha256:" + String(repeating: "ab", count: 32)
        #expect(
            fixture.message { _ = try fixture.store.load(folder, tag: "team/app:1", expectedDigest: expected) }
                == "'\(folder)' holds the manifest \(archive.manifestDigests[0]), not the expected \(expected): "
                + "nothing was loaded.")
        #expect(fixture.snapshot() == before)
    }

    @Test func aDamagedBlobIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.ociLayout([(try TestImage.busybox(), [:])])
        let folder = try fixture.writeDirectory(archive)
        let manifest = try JSONDecoder().decode(
            ImageManifest.self, from: Data(archive.files[TestImageArchive.blobPath(archive.manifestDigests[0])] ?? []))
        let layer = folder + "/" + manifest.layers[0].digest.dropFirst(7)
        var bytes = FileReader.contents(atPath: layer) ?? []
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: layer))
        #expect(
            fixture.message { _ = try fixture.store.load(folder, tag: "team/app:1") }
                == "Layer 1 in '\(folder)' does not match its digest: expected \(manifest.layers[0].digest), found "
                + "sha256:\(sha256Hex(bytes)).")
        #expect(try fixture.store.images().isEmpty)
    }

    @Test func aManifestListPicksThisMachinesManifestAndItsDigestMayBeExpected() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (other, host) = try TestImage.twoPlatforms()
        let archive = try TestImageArchive.platformIndex([other, host], annotations: [:])
        // What `skopeo copy --all … dir:` writes: the list as manifest.json, each manifest as <hex>.manifest.json.
        let folder = fixture.folder.appending("all")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("Directory Transport Version: 1.1\n".utf8).write(to: URL(fileURLWithPath: folder + "/version"))
        let top = try JSONDecoder().decode(ImageIndex.self, from: Data(archive.files["index.json"] ?? []))
        let listDigest = top.manifests[0].digest
        for (path, bytes) in archive.files where path.hasPrefix("blobs/sha256/") {
            let hex = String(path.dropFirst("blobs/sha256/".count))
            let name =
                "sha256:" + hex == listDigest
                ? "manifest.json" : archive.manifestDigests.contains("sha256:" + hex) ? hex + ".manifest.json" : hex
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        let loaded = try fixture.store.load(folder, tag: "team/app:multi", expectedDigest: listDigest)
        #expect(loaded.map(\.digest) == [archive.manifestDigests[1]])
        #expect(FileReader.contents(atPath: fixture.store.rootPath(loaded[0].digest) + "/which") == Array("host".utf8))
    }

    @Test func aSchemaOneManifestIsRefusedWithWhatToDo() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let folder = fixture.folder.appending("v1")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("Directory Transport Version: 1.1\n".utf8).write(to: URL(fileURLWithPath: folder + "/version"))
        try Data(#"{"schemaVersion":1,"name":"team/app","tag":"1","fsLayers":[]}"#.utf8).write(
            to: URL(fileURLWithPath: folder + "/manifest.json"))
        #expect(
            fixture.message { _ = try fixture.store.load(folder, tag: "team/app:1") }
                == "The manifest in '\(folder)' is schema version 1; cibox reads Docker schema 2 and OCI manifests "
                + "(copy it again with 'skopeo copy --format v2s2').")
    }
}

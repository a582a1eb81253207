// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// Loading, naming, unpacking and removing images in a store.
@Suite struct ImageStoreTests {
    @Test(arguments: [TestImage.Compression.plain, .gzip, .zstd])
    func anOCIArchiveLoadsWithItsConfigAndRoot(compression: TestImage.Compression) throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        var image = try TestImage.busybox()
        image.compression = compression
        let archive = try TestImageArchive.ociLayout([(image, ["io.containerd.image.name": "busybox:test"])])
        let loaded = try fixture.load(archive)
        #expect(loaded.map(\.reference) == ["docker.io/library/busybox:test"])
        #expect(loaded.first?.digest == archive.manifestDigests.first)
        let stored = try fixture.store.image("busybox:test")
        #expect(stored.configuration.config?.env == ["PATH=/bin", "GREETING=hello from the image"])
        #expect(stored.configuration.config?.user == "tester")
        #expect(stored.configuration.config?.workingDir == "/home/tester")
        #expect(stored.record.lastUsedAt != nil)
        let root = try fixture.store.root(of: stored.record.digest)
        #expect(!root.unpacked, "load unpacked it already")
        #expect(FileReader.contents(atPath: root.path + "/bin/busybox") == FileReader.contents(atPath: "/bin/busybox"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.path + "/bin/sh") == "busybox")
        var info = stat()
        #expect(stat(root.path + "/home/tester", &info) == 0 && info.st_uid == 1000 && info.st_mode & 0o7777 == 0o750)
        #expect(stat(root.path + "/tmp", &info) == 0 && info.st_mode & 0o7777 == 0o1777)
    }

    @Test func aDockerArchiveIsNamedByItsRepoTags() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.dockerArchive(
            try TestImage.busybox(), repoTags: ["busybox:1", "localhost:5000/tools/bb:2"])
        let loaded = try fixture.load(archive)
        #expect(loaded.map(\.reference) == ["docker.io/library/busybox:1", "localhost:5000/tools/bb:2"])
        #expect(
            try fixture.store.images().map(\.reference) == ["docker.io/library/busybox:1", "localhost:5000/tools/bb:2"])
        #expect(try fixture.store.image("localhost:5000/tools/bb:2").configuration.config?.user == "tester")
    }

    @Test func anUnnamedImageTakesTheTagAndWithoutOneIsRefused() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.ociLayout([
            (try TestImage.busybox(), ["org.opencontainers.image.ref.name": "1"])
        ])
        let path = fixture.folder.appending("unnamed.tar")
        try archive.writeArchive(to: path)
        #expect(
            fixture.message { _ = try fixture.store.load(path) }
                == "'\(path)' does not name its image (no RepoTags, io.containerd.image.name or full "
                + "org.opencontainers.image.ref.name): give it one with --tag REF.")
        #expect(try fixture.store.load(path, tag: "mine/bb").map(\.reference) == ["docker.io/mine/bb:latest"])
        let layout = fixture.folder.appending("layout")
        try archive.writeFolder(to: layout)
        #expect(try fixture.store.load(layout, tag: "mine/bb:folder").map(\.reference) == ["docker.io/mine/bb:folder"])
    }

    @Test func aTwoPlatformIndexPicksThisMachinesImage() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (other, host) = try TestImage.twoPlatforms()
        let archive = try TestImageArchive.platformIndex(
            [other, host], annotations: ["io.containerd.image.name": "multi:1"])
        let loaded = try fixture.load(archive)
        #expect(loaded.first?.digest == archive.manifestDigests[1])
        let root = try fixture.store.root(of: archive.manifestDigests[1]).path
        #expect(FileReader.contents(atPath: root + "/which") == Array("host".utf8))

        let only = try TestImageArchive.platformIndex([other], annotations: ["io.containerd.image.name": "multi:2"])
        let path = fixture.folder.appending("other.tar")
        try only.writeArchive(to: path)
        #expect(
            fixture.message { _ = try fixture.store.load(path) }
                == "'\(path)' has no image for \(HostPlatform.current) (it has \(other.platform)).")
        let single = try TestImageArchive.ociLayout([(other, ["io.containerd.image.name": "multi:3"])])
        let singlePath = fixture.folder.appending("single.tar")
        try single.writeArchive(to: singlePath)
        #expect(
            fixture.message { _ = try fixture.store.load(singlePath) }
                == "The image in '\(singlePath)' is for \(other.platform); this machine runs \(HostPlatform.current).")
    }

    @Test func anIndexJSONListingOneManifestPerPlatformKeepsThisMachines() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (other, host) = try TestImage.twoPlatforms()
        let name = ["io.containerd.image.name": "flat:1"]
        var archive = try TestImageArchive.ociLayout([(other, name), (host, name)])
        var index = try JSONDecoder().decode(ImageIndex.self, from: Data(archive.files["index.json"] ?? []))
        index.manifests[0].platform = other.platform
        index.manifests[1].platform = host.platform
        archive.files["index.json"] = TestImage.json(index)
        #expect(try fixture.load(archive).map(\.digest) == [archive.manifestDigests[1]])
        index.manifests.removeLast()
        archive.files["index.json"] = TestImage.json(index)
        let path = fixture.folder.appending("flat.tar")
        try archive.writeArchive(to: path)
        #expect(
            fixture.message { _ = try fixture.store.load(path) }
                == "'\(path)' has no image for \(HostPlatform.current) (it has \(other.platform)).")
    }

    @Test func concurrentCallersOfOneDigestUnpackItOnce() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let digest = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"]))[
            0
        ].digest
        FolderTree.remove(fixture.store.rootPath(digest))
        let store = fixture.store
        let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for _ in 0..<4 { group.addTask { try store.root(of: digest) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.1).count == 1)
        #expect(Set(results.map(\.0)) == [store.rootPath(digest)])
        #expect(FileReader.contents(atPath: store.rootPath(digest) + "/bin/busybox") != nil)
    }

    @Test func removingANameRemovesWhatNoOtherNameNeeds() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let first = try fixture.load(
            try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1", "bb:2"]))
        let second = try fixture.load(
            try TestImageArchive.dockerArchive(
                try TestImage.busybox(extraLayers: [[.file("x", "y")]]), repoTags: ["bb:3"]))
        let blobs = fixture.store.folder + "/blobs/sha256"
        let all = try FileManager.default.contentsOfDirectory(atPath: blobs).count
        #expect(all == 6, "two manifests, two configs, two layers (the base one shared)")
        #expect(try fixture.store.remove("bb:1").map(\.reference) == ["docker.io/library/bb:1"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs).count == all)
        _ = try fixture.store.remove(first[0].digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs).count == 4, "the second's four blobs")
        #expect(!FileManager.default.fileExists(atPath: fixture.store.rootPath(first[0].digest)))
        #expect(FileManager.default.fileExists(atPath: fixture.store.rootPath(second[0].digest)))
        #expect(fixture.message { _ = try fixture.store.remove("bb:1") } == "No image 'bb:1' in the store.")
        _ = try fixture.store.remove("bb:3")
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs).isEmpty)
        #expect(try fixture.store.images().isEmpty)
    }
}

/// Names by digest, and work left by a process that died.
@Suite struct ImageStoreLookupTests {
    @Test func aDigestOrAReferenceWithItsDigestFindsTheImage() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let digest = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"]))[
            0
        ].digest
        #expect(try fixture.store.image(digest).record.reference == "docker.io/library/bb:1")
        #expect(try fixture.store.image("bb:1@" + digest).record.reference == "docker.io/library/bb:1")
        #expect(try fixture.store.image("bb@" + digest).record.reference == "docker.io/library/bb:1")
        #expect(
            fixture.message { _ = try fixture.store.image("other@" + digest) }
                == "No image 'other@\(digest)' in the store: load it with 'cibox image load FILE'.")
        let other = "sha256:" + String(repeating: "0", count: 64)
        #expect(
            fixture.message { _ = try fixture.store.image("bb@" + other) }
                == "No image 'bb@\(other)' in the store: load it with 'cibox image load FILE'.")
        #expect(try fixture.store.remove("bb@" + digest).map(\.reference) == ["docker.io/library/bb:1"])
    }

    @Test func preparingAnImageGivesItsConfigAndARootUnpackedAgainWhenMissing() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let digest = try fixture.load(
            try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"]))[0].digest
        FolderTree.remove(fixture.store.rootPath(digest))
        let prepared = try fixture.store.prepare("docker.io/library/bb:1")
        #expect(prepared.root == fixture.store.rootPath(digest))
        #expect(prepared.image.configuration.config?.workingDir == "/home/tester")
        #expect(
            FileReader.contents(atPath: prepared.root + "/bin/busybox") == FileReader.contents(atPath: "/bin/busybox"))
        #expect(
            fixture.message { _ = try fixture.store.prepare("bb:2") }
                == "No image 'bb:2' in the store: load it with 'cibox image load FILE'.")
    }

    @Test func workOfADeadProcessIsRemovedAndOfALiveOneKept() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"])
        _ = try fixture.load(archive)
        // A pid above the kernel's largest (4194304) belongs to no process.
        let dead = ["tmp/load-99999999-abcdefgh", "roots/.partial-\(String(repeating: "a", count: 64))-99999999"]
        let alive = ["tmp/load-\(getpid())-abcdefgh"]
        for path in dead + alive {
            try FileManager.default.createDirectory(
                atPath: fixture.store.folder + "/" + path + "/inside", withIntermediateDirectories: true)
        }
        _ = try fixture.load(archive)
        for path in dead { #expect(!FileManager.default.fileExists(atPath: fixture.store.folder + "/" + path)) }
        for path in alive { #expect(FileManager.default.fileExists(atPath: fixture.store.folder + "/" + path)) }
    }
}

@Suite struct EmptyStoreTests {
    @Test func aStoreNothingWasLoadedIntoHasNoImageAndIsLeftUntouched() throws {
        let home = try TemporaryDirectory(prefix: "cibox-empty-store")
        defer { home.remove() }
        let store = ImageStore(home: home.path)
        #expect {
            _ = try store.prepare("cimg/node:20")
        } throws: { error in
            (error as? ImageError)?.code == .notFound
                && (error as? ImageError)?.message
                    == "No image 'cimg/node:20' in the store: load it with 'cibox image load FILE'."
        }
        #expect(access(home.appending("images"), F_OK) != 0)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// `ImageStore.collect`: images unused for `keep` go, then the least recently used while over `maxSize`; shared
/// layers stay while an image needs them; a running job's image stays; a dry run changes nothing.
@Suite struct RetentionTests {
    static let day: Double = 86_400
    let now = Date()

    /// Three busybox images sharing their base layer, each with a layer of its own, last used 3, 2 and 1 days ago.
    func threeImages(_ fixture: StoreFixture) throws -> [ImageRecord] {
        var records: [ImageRecord] = []
        for (name, daysAgo) in [("a", 3.0), ("b", 2.0), ("c", 1.0)] {
            let image = try TestImage.busybox(extraLayers: [[.file("which", name)]])
            records += try fixture.load(try TestImageArchive.dockerArchive(image, repoTags: ["team/\(name):1"]))
            try fixture.setLastUse("docker.io/team/\(name):1", to: now.addingTimeInterval(-daysAgo * Self.day))
        }
        return records
    }

    /// The blobs of `digest`'s manifest: config and layers.
    func layers(_ fixture: StoreFixture, _ digest: String) throws -> [String] {
        let manifest = try JSONDecoder().decode(
            ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: fixture.store.blobPath(digest))))
        return manifest.layers.map(\.digest)
    }

    /// What the store takes on disk, as retention measures it.
    func storeBytes(_ fixture: StoreFixture) throws -> Int64 {
        try fixture.store.collect(keep: .infinity, maxSize: nil, now: now, dryRun: true).bytesAfter
    }

    @Test func imagesUnusedForKeepGoAndTheirOwnLayersWithThem() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let images = try threeImages(fixture)
        let (base, own) = (try layers(fixture, images[0].digest)[0], try layers(fixture, images[0].digest)[1])
        let before = try storeBytes(fixture)
        let collection = try fixture.store.collect(keep: 2.5 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(collection.removed.map(\.reference) == ["docker.io/team/a:1"])
        #expect(try fixture.store.images().map(\.reference) == ["docker.io/team/b:1", "docker.io/team/c:1"])
        #expect(!FileManager.default.fileExists(atPath: fixture.store.rootPath(images[0].digest)))
        #expect(FileManager.default.fileExists(atPath: fixture.store.rootPath(images[1].digest)))
        #expect(!fixture.hasBlob(images[0].digest) && !fixture.hasBlob(own))
        #expect(fixture.hasBlob(base), "the base layer: b and c still need it")
        #expect(collection.bytesFreed > 0)
        #expect(collection.bytesFreed + collection.bytesAfter == before)
        #expect(try storeBytes(fixture) == collection.bytesAfter)
    }

    @Test func overMaxSizeTheLeastRecentlyUsedGoFirst() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let images = try threeImages(fixture)
        let total = try storeBytes(fixture)
        let one = try fixture.store.collect(keep: 30 * Self.day, maxSize: total - 1, now: now, dryRun: false)
        #expect(one.removed.map(\.reference) == ["docker.io/team/a:1"])
        #expect(one.bytesAfter <= total - 1)
        // Using a now makes it the most recently used: b goes next, then c.
        _ = try fixture.store.image("team/b:1")
        let all = try fixture.store.collect(keep: 30 * Self.day, maxSize: 0, now: now, dryRun: false)
        #expect(all.removed.map(\.reference) == ["docker.io/team/c:1", "docker.io/team/b:1"])
        #expect(all.bytesAfter == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.store.folder + "/blobs/sha256").isEmpty)
        #expect(images.allSatisfy { !FileManager.default.fileExists(atPath: fixture.store.rootPath($0.digest)) })
    }

    @Test func aSharedLayerStaysUntilNoImageNeedsIt() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let images = try threeImages(fixture)
        let all = try images.map { try layers(fixture, $0.digest) }
        let base = all[0][0]
        #expect(all.allSatisfy { $0.count == 2 && $0[0] == base } && Set(all.map { $0[1] }).count == 3)
        _ = try fixture.store.collect(keep: 1.5 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(fixture.hasBlob(base), "c still needs it")
        #expect(!fixture.hasBlob(all[0][1]) && !fixture.hasBlob(all[1][1]) && fixture.hasBlob(all[2][1]))
        let last = try fixture.store.collect(keep: 0.5 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(last.removed.map(\.reference) == ["docker.io/team/c:1"])
        #expect(!fixture.hasBlob(base))
    }

    @Test(.timeLimit(.minutes(1)))
    func aRunningJobsImageIsKeptAndNotCountedAsFreed() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let images = try threeImages(fixture)
        let root = fixture.store.rootPath(images[0].digest)
        let before = try storeBytes(fixture)
        var job: FileLock.Holder? = try FileLock.holdShared(path: root + ".lock")
        let busy = try fixture.store.collect(keep: 1.5 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(busy.removed.map(\.reference) == ["docker.io/team/b:1"])
        #expect(FileManager.default.fileExists(atPath: root + "/bin/busybox"))
        #expect(busy.bytesFreed + busy.bytesAfter == before)
        #expect(try storeBytes(fixture) == busy.bytesAfter)
        let squeezed = try fixture.store.collect(keep: 30 * Self.day, maxSize: 0, now: now, dryRun: false)
        #expect(squeezed.removed.map(\.reference) == ["docker.io/team/c:1"])
        #expect(squeezed.bytesAfter > 0, "a's root and blobs")
        #expect(try fixture.store.images().map(\.reference) == ["docker.io/team/a:1"])
        withExtendedLifetime(job) {}
        job = nil
        let after = try fixture.store.collect(keep: 1.5 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(after.removed.map(\.reference) == ["docker.io/team/a:1"])
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test(.timeLimit(.minutes(1)))
    func removingANameNeverWaitsForAJobAndItsRootGoesLater() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let images = try threeImages(fixture)
        let root = fixture.store.rootPath(images[0].digest)
        var job: FileLock.Holder? = try FileLock.holdShared(path: root + ".lock")
        #expect(try fixture.store.remove("team/a:1").map(\.reference) == ["docker.io/team/a:1"])
        #expect(FileManager.default.fileExists(atPath: root + "/bin/busybox"), "in use: left for later")
        #expect(!fixture.hasBlob(images[0].digest))
        withExtendedLifetime(job) {}
        job = nil
        let later = try fixture.store.collect(keep: 30 * Self.day, maxSize: nil, now: now, dryRun: false)
        #expect(later.removed.isEmpty)
        #expect(later.bytesFreed > 0, "the root no name needs")
        #expect(!FileManager.default.fileExists(atPath: root))
    }

    @Test func aDryRunReportsWhatWouldGoAndChangesNothing() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try threeImages(fixture)
        let before = fixture.snapshot()
        let index = FileReader.contents(atPath: fixture.store.folder + "/index.json")
        let dry = try fixture.store.collect(keep: 1.5 * Self.day, maxSize: 0, now: now, dryRun: true)
        #expect(dry.removed.map(\.reference) == ["docker.io/team/a:1", "docker.io/team/b:1", "docker.io/team/c:1"])
        #expect(dry.bytesAfter == 0)
        #expect(fixture.snapshot() == before)
        #expect(FileReader.contents(atPath: fixture.store.folder + "/index.json") == index)
        let real = try fixture.store.collect(keep: 1.5 * Self.day, maxSize: 0, now: now, dryRun: false)
        #expect(real == dry)
    }

    @Test func aStoreNothingWasLoadedIntoHasNothingToCollectAndIsNotMade() throws {
        let home = try TemporaryDirectory(prefix: "cibox-empty-store")
        defer { home.remove() }
        let store = ImageStore(home: home.path)
        #expect(try store.collect(keep: 0, maxSize: 0, dryRun: false) == ImageCollection())
        #expect(!FileManager.default.fileExists(atPath: store.folder))
    }
}

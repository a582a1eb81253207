// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// A tag that moved keeps its old image under a digest record, so that a job pinned to the old digest finds it.
@Suite struct DigestRecordTests {
    /// Two different images (A, then B) loaded under `team/app:1`.
    func movedTag(_ fixture: StoreFixture) throws -> (old: ImageRecord, new: ImageRecord) {
        let first = try fixture.load(
            try TestImageArchive.dockerArchive(
                try TestImage.busybox(extraLayers: [[.file("which", "a")]]), repoTags: ["team/app:1"]))
        try fixture.setLastUse("docker.io/team/app:1", to: Date(timeIntervalSince1970: 1_000_000))
        let second = try fixture.load(
            try TestImageArchive.dockerArchive(
                try TestImage.busybox(extraLayers: [[.file("which", "b")]]), repoTags: ["team/app:1"]))
        return (first[0], second[0])
    }

    @Test func aMovedTagKeepsTheOldImageUnderItsDigest() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (old, new) = try movedTag(fixture)
        let pinned = "docker.io/team/app@" + old.digest
        #expect(
            try fixture.store.images() == [
                ImageRecord(
                    reference: "docker.io/team/app:1", digest: new.digest, size: new.size,
                    loadedAt: new.loadedAt, lastUsedAt: nil),
                ImageRecord(
                    reference: pinned, digest: old.digest, size: old.size, loadedAt: old.loadedAt,
                    lastUsedAt: 1_000_000),
            ])
        #expect(try fixture.store.image("team/app:1").record.digest == new.digest)
        #expect(try fixture.store.image("team/app:1@" + new.digest).record.reference == "docker.io/team/app:1")
        #expect(try fixture.store.image("team/app:1@" + old.digest).record.reference == pinned)
        #expect(try fixture.store.image("team/app@" + old.digest).record.reference == pinned)
        let root = try fixture.store.prepare("team/app:1@" + old.digest).root
        #expect(FileReader.contents(atPath: root + "/which") == Array("a".utf8))
        #expect(
            fixture.message { _ = try fixture.store.image("team/other:1@" + old.digest) }
                == "No image 'team/other:1@\(old.digest)' in the store: load it with 'cibox image load FILE'.")

        #expect(try fixture.store.remove(pinned).map(\.reference) == [pinned])
        #expect(!FileManager.default.fileExists(atPath: fixture.store.rootPath(old.digest)))
        #expect(!fixture.hasBlob(old.digest))
        #expect(try fixture.store.images().map(\.reference) == ["docker.io/team/app:1"])
    }

    @Test func noDigestRecordWhileAnotherNameOfTheRepositoryHoldsTheImage() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let first = try fixture.load(
            try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["team/app:1", "team/app:stable"]))
        _ = try fixture.load(
            try TestImageArchive.dockerArchive(
                try TestImage.busybox(extraLayers: [[.file("which", "b")]]), repoTags: ["team/app:1"]))
        #expect(try fixture.store.images().map(\.reference) == ["docker.io/team/app:1", "docker.io/team/app:stable"])
        #expect(
            try fixture.store.image("team/app:1@" + first[0].digest).record.reference == "docker.io/team/app:stable")
    }

    @Test func aNameThatHoldsTheDigestAgainReplacesItsDigestRecord() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let (old, _) = try movedTag(fixture)
        let archive = try TestImageArchive.dockerArchive(
            try TestImage.busybox(extraLayers: [[.file("which", "a")]]), repoTags: ["team/app:2"])
        #expect(try fixture.load(archive).map(\.digest) == [old.digest])
        #expect(try fixture.store.images().map(\.reference) == ["docker.io/team/app:1", "docker.io/team/app:2"])
        #expect(try fixture.store.image("team/app:1@" + old.digest).record.reference == "docker.io/team/app:2")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// What `cibox doctor` reads of the image store: every image whole, or each damage named with its image.
@Suite struct ImageStoreInspectTests {
    @Test func aWholeStoreHasNoProblems() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        #expect(fixture.store.inspect() == ImageStoreHealth(images: 0, manifests: 0, problems: []))
        _ = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1", "bb:2"]))
        #expect(fixture.store.inspect() == ImageStoreHealth(images: 2, manifests: 1, problems: []))
    }

    @Test func aMissingLayerATruncatedLayerAndAChangedConfigAreNamed() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let archive = try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"])
        let digest = try fixture.load(archive)[0].digest
        let manifest = try JSONDecoder().decode(
            ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: fixture.store.blobPath(digest))))
        let layer = manifest.layers[0]

        try FileManager.default.removeItem(atPath: fixture.store.blobPath(layer.digest))
        #expect(
            fixture.store.inspect().problems == [
                "docker.io/library/bb:1: The store lacks layer 1 (\(layer.digest))."
            ])

        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: fixture.store.blobPath(layer.digest)))
        #expect(
            fixture.store.inspect().problems == [
                "docker.io/library/bb:1: Layer 1 (\(layer.digest)) is 3 bytes; its descriptor says \(layer.size)."
            ])

        let config = fixture.store.blobPath(manifest.config.digest)
        chmod(config, 0o600)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: config))
        try (bytes.dropLast() + Data("x".utf8)).write(to: URL(fileURLWithPath: config))
        let problems = fixture.store.inspect().problems
        #expect(problems.count == 1)
        #expect(
            problems.first?.hasPrefix("docker.io/library/bb:1: The config in the store does not match its digest")
                == true)
    }

    @Test func aDamagedIndexIsOneProblem() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        _ = try fixture.load(try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["bb:1"]))
        try Data("{".utf8).write(to: URL(fileURLWithPath: fixture.store.folder + "/index.json"))
        let health = fixture.store.inspect()
        #expect(health.images == 0)
        #expect(health.problems.count == 1)
        #expect(
            health.problems.first?.hasPrefix("The image index '\(fixture.store.folder)/index.json' is damaged") == true)
    }
}

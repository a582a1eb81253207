// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxTestSupport
import Foundation
import Testing

/// `cibox gc` and the image store, run as a user would: busybox images the tests pack, sharing their base layer.
@Suite struct ImageGcTests {
    static let day: Double = 86_400

    /// Loads busybox images named `team/NAME:1` (each with a layer of its own) and sets each one's last use to
    /// `daysAgo` days ago in `images/index.json`; returns them by name as `image list --json` shows them.
    /// - Parameter user: the images' `User` (the test image's `tester` when nil).
    static func load(_ images: [(name: String, daysAgo: Double)], into cli: CLI, user: String? = nil) async throws
        -> [String: [String: Any]]
    {
        for (name, _) in images {
            let path = cli.home.path + "-\(name).tar"
            defer { try? FileManager.default.removeItem(atPath: path) }
            var image = try TestImage.busybox(extraLayers: [[.file("which", name)]])
            if let user { image.container.user = user }
            try TestImageArchive.dockerArchive(image, repoTags: ["team/\(name):1"]).writeArchive(to: path)
            let loaded = try await cli.run(["image", "load", path])
            #expect(loaded.status == 0, "\(loaded.stderr)")
        }
        let indexPath = cli.home.appending("images/index.json")
        var index = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: indexPath))) as? [String: Any])
        index["images"] = index.objects("images").map { record in
            var record = record
            if let image = images.first(where: { "docker.io/team/\($0.name):1" == record.string("reference") }) {
                record["last_used_at"] = Date().timeIntervalSince1970 - image.daysAgo * day
            }
            return record
        }
        try JSONSerialization.data(withJSONObject: index).write(to: URL(fileURLWithPath: indexPath))
        let list = try JSONSerialization.jsonObject(
            with: Data(try await cli.run(["image", "list", "--json"]).stdout.utf8))
        let records = try #require(list as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: records.map { ($0.string("reference") ?? "", $0) })
    }

    /// The blobs of the manifest `digest` in the store: itself, its config and its layers (base layer second).
    static func blobs(_ cli: CLI, _ digest: String) throws -> [String] {
        let manifest = try JSONDecoder().decode(
            ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: blobPath(cli, digest))))
        return [digest, manifest.config.digest] + manifest.layers.map(\.digest)
    }

    static func blobPath(_ cli: CLI, _ digest: String) -> String {
        cli.home.appending("images/blobs/sha256/" + digest.dropFirst(7))
    }

    static func rootPath(_ cli: CLI, _ digest: String) -> String {
        cli.home.appending("images/roots/" + digest.dropFirst(7))
    }

    @Test func gcRemovesAnImageUnusedForKeepWithItsOwnBlobsAndRootAndKeepsTheSharedLayer() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let images = try await Self.load([("old", 40), ("new", 1)], into: cli)
        let old = try #require(images["docker.io/team/old:1"])
        let oldDigest = try #require(old.string("digest"))
        let newDigest = try #require(images["docker.io/team/new:1"]?.string("digest"))
        let oldBlobs = try Self.blobs(cli, oldDigest)
        let base = oldBlobs[2]
        #expect(try Self.blobs(cli, newDigest)[2] == base, "both images share their base layer")
        let line = "image docker.io/team/old:1 (\(oldDigest), \(ByteCount.format(Int64(old.int("size") ?? 0))))\n"

        let dry = try await cli.run(["gc", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.hasPrefix("would remove " + line + "Would remove 0 pipelines, 0 caches and 1 image, "))
        #expect(FileManager.default.fileExists(atPath: Self.rootPath(cli, oldDigest)))

        let gc = try await cli.run(["gc", "--json"])
        #expect(gc.status == 0, "\(gc.stderr)")
        let report = try CLI.object(gc)
        let removed = report.objects("images")
        #expect(removed.map { $0.string("reference") } == ["docker.io/team/old:1"])
        #expect(removed.first?.string("digest") == oldDigest)
        #expect(removed.first?.int("size") == old.int("size"))
        #expect(removed.first?.string("last_used_at")?.isEmpty == false)
        let freed = report.int("image_bytes") ?? 0
        #expect(freed > Int64(FileManager.default.contents(atPath: "/bin/busybox")?.count ?? 0), "its root went")
        #expect(report.int("bytes_freed") == freed)
        #expect(!FileManager.default.fileExists(atPath: Self.rootPath(cli, oldDigest)))
        for blob in oldBlobs where blob != base {
            #expect(!FileManager.default.fileExists(atPath: Self.blobPath(cli, blob)), "\(blob)")
        }
        #expect(FileManager.default.fileExists(atPath: Self.blobPath(cli, base)))
        #expect(FileManager.default.fileExists(atPath: Self.rootPath(cli, newDigest) + "/which"))
        let list = try await cli.run(["image", "list"])
        #expect(list.stdout.hasPrefix("docker.io/team/new:1\t") && list.stdout.split(separator: "\n").count == 1)

        let again = try await cli.run(["gc"])
        #expect(again.stdout == "Removed 0 pipelines, 0 caches and 0 images, 0 B freed.\n")
    }

    @Test func overImagesMaxSizeTheLeastRecentlyUsedGoFirst() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let images = try await Self.load([("a", 3), ("b", 2), ("c", 1)], into: cli)
        let total = try ImageStore(home: cli.home.path).collect(keep: .infinity, maxSize: nil, dryRun: true).bytesAfter
        try cli.home.write("images: { keep: 30d, max_size: \(total - 1) }\n", to: "settings.yml")
        let first = try await cli.run(["gc"])
        #expect(first.status == 0, "\(first.stderr)")
        let digest = try #require(images["docker.io/team/a:1"]?.string("digest"))
        let size = ByteCount.format(Int64(images["docker.io/team/a:1"]?.int("size") ?? 0))
        #expect(first.stdout.hasPrefix("removed image docker.io/team/a:1 (\(digest), \(size))\nRemoved 0 pipelines, "))
        #expect(first.stdout.contains(", 0 caches and 1 image, "))

        try cli.home.write("images: { max_size: 1 }\n", to: "settings.yml")
        let second = try CLI.object(try await cli.run(["gc", "--json"]))
        #expect(
            second.objects("images").map { $0.string("reference") } == ["docker.io/team/b:1", "docker.io/team/c:1"])
        #expect(try await cli.run(["image", "list"]).stdout == "No images.\n")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cli.home.appending("images/blobs/sha256"))
        #expect(blobs.isEmpty)
    }
}

/// The daemon's periodic collection (it collects once as it starts).
@Suite struct DaemonImageGcTests {
    @Test(.timeLimit(.minutes(2)))
    func theDaemonRemovesImagesUnusedForKeep() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        _ = try await ImageGcTests.load([("old", 40), ("new", 1)], into: cli)
        let (daemon, _) = try cli.start(["daemon"])
        defer { if daemon.isRunning { daemon.terminate() } }
        var list = ""
        #expect(
            try await eventually(seconds: 60) {
                list = try await cli.run(["image", "list"]).stdout
                return !list.contains("docker.io/team/old:1")
            }, "\(list)")
        #expect(list.hasPrefix("docker.io/team/new:1\t"))
        await daemon.stop()
    }
}

/// Whether jobs can run in images here: root (runc needs it), runc, busybox-static.
private let canRunImages =
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    && ["/usr/sbin/runc", "/usr/bin/runc"].contains { FileManager.default.isExecutableFile(atPath: $0) }

/// `cibox gc` while a job runs in an image.
@Suite(.machineSlot, .enabled(if: canRunImages, "jobs in images need root, runc and busybox-static"))
struct RunningImageGcTests {
    @Test func gcNeverRemovesTheImageOfARunningJob() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  b:
                    docker: [{ image: team/busy:1 }]
                    steps:
                      - run: echo started; sleep 600
                workflows:
                  w:
                    jobs: [b]
                """)
        defer { cli.home.remove(); repo.remove() }
        let images = try await ImageGcTests.load([("busy", 40), ("idle", 40)], into: cli, user: "root")
        let busy = try #require(images["docker.io/team/busy:1"]?.string("digest"))
        try cli.home.write("images: { max_size: 1 }\n", to: "settings.yml")
        let (runner, _) = try cli.start(["run", repo.path])
        defer { if runner.isRunning { runner.terminate() } }
        // Once the step printed, its container runs on the image's root (and holds its lock).
        var log = ""
        #expect(
            try await eventually(seconds: 60) {
                log = try await cli.run(["logs", "1"]).stdout
                return log.contains("\nstarted\n")
            }, "\(log)")

        let gc = try CLI.object(try await cli.run(["gc", "--json"]))
        #expect(gc.objects("images").map { $0.string("reference") } == ["docker.io/team/idle:1"])
        #expect(FileManager.default.fileExists(atPath: ImageGcTests.rootPath(cli, busy) + "/bin/busybox"))
        #expect(try await cli.run(["image", "list"]).stdout.hasPrefix("docker.io/team/busy:1\t"))

        #expect(try await cli.run(["cancel", "1"]).status == 0)
        try await runner.ended()
        let after = try CLI.object(try await cli.run(["gc", "--json"]))
        #expect(after.objects("images").map { $0.string("reference") } == ["docker.io/team/busy:1"])
        #expect(!FileManager.default.fileExists(atPath: ImageGcTests.rootPath(cli, busy)))
    }
}

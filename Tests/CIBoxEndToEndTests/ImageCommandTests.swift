// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `cibox image load|list|remove`, run as a user would, on images the tests make themselves.
@Suite struct ImageCommandTests {
    /// Writes `archive` as a tar in the home's parent folder and returns its path.
    func write(_ archive: TestImageArchive, _ cli: CLI, name: String) throws -> String {
        let path = cli.home.path + "-" + name
        try archive.writeArchive(to: path)
        return path
    }

    /// What the image store holds.
    func snapshot(_ cli: CLI) -> [String] {
        FolderSnapshot.of(cli.home.appending("images"))
    }

    @Test func loadListAndRemoveEachKindOfArchive() async throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(atPath: cli.home.path) }
        // A folder no layer lists is made 0755 as Docker makes it, whatever cibox's umask (077).
        let image = try TestImage.busybox(extraLayers: [[.file("usr/share/doc/readme", "hi\n")]])
        let docker = try write(
            try TestImageArchive.dockerArchive(image, repoTags: ["busybox:test"]), cli, name: "d.tar")
        let oci = try TestImageArchive.ociLayout([(image, ["io.containerd.image.name": "localhost:5000/bb:oci"])])
        let ociPath = try write(oci, cli, name: "o.tar")
        let layout = cli.home.path + "-layout"
        try oci.writeFolder(to: layout)
        defer {
            for path in [docker, ociPath, layout] { try? FileManager.default.removeItem(atPath: path) }
        }

        #expect(try await cli.run(["image", "list"]).stdout == "No images.\n")
        let loaded = try await cli.run(["image", "load", docker])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let digest = try #require(loaded.stdout.split(separator: "(").last?.dropLast(2))
        #expect(loaded.stdout == "Loaded docker.io/library/busybox:test (\(digest))\n")
        let fromOCI = try await cli.run(["image", "load", ociPath])
        #expect(fromOCI.stdout == "Loaded localhost:5000/bb:oci (\(oci.manifestDigests[0]))\n", "\(fromOCI.stderr)")
        let fromLayout = try await cli.run(["image", "load", layout, "--tag", "bb:layout"])
        #expect(
            fromLayout.stdout
                == "Loaded localhost:5000/bb:oci (\(oci.manifestDigests[0]))\nLoaded docker.io/library/bb:layout "
                + "(\(oci.manifestDigests[0]))\n", "\(fromLayout.stderr)")
        let fromStandardInput = try await ProcessRunner.run(
            "/bin/sh",
            ["-c", "\"$0\" image load - --tag bb:stdin --home \"$1\" < \"$2\"", CLI.binary, cli.home.path, ociPath])
        #expect(fromStandardInput.status == 0, "\(fromStandardInput.stderr)")
        #expect(fromStandardInput.stdout.hasSuffix("Loaded docker.io/library/bb:stdin (\(oci.manifestDigests[0]))\n"))

        let list = try await cli.run(["image", "list"])
        let lines = list.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(
            lines.map { $0[0] } == [
                "docker.io/library/bb:layout", "docker.io/library/bb:stdin", "docker.io/library/busybox:test",
                "localhost:5000/bb:oci",
            ])
        #expect(lines.allSatisfy { $0.count == 4 && $0[3] == "never" })
        let json = try JSONSerialization.jsonObject(
            with: Data(try await cli.run(["image", "list", "--json"]).stdout.utf8))
        let objects = try #require(json as? [[String: Any]])
        #expect(objects.map { $0.string("reference") ?? "" }.last == "localhost:5000/bb:oci")
        #expect(objects.last?.string("digest") == oci.manifestDigests[0])
        #expect((objects.last?["size"] as? Int ?? 0) > 1_000_000)
        #expect(objects.last?["last_used_at"] is NSNull)

        let root = cli.home.appending("images/roots/" + oci.manifestDigests[0].dropFirst(7))
        for path in ["usr", "usr/share", "usr/share/doc"] {
            var info = stat()
            #expect(stat(root + "/" + path, &info) == 0 && info.st_mode & 0o7777 == 0o755, "\(path)")
        }
        #expect(
            FileManager.default.contents(atPath: root + "/bin/busybox")
                == FileManager.default.contents(atPath: "/bin/busybox"))

        for name in ["bb:layout", "bb:stdin", "localhost:5000/bb:oci"] {
            #expect(try await cli.run(["image", "remove", name]).status == 0)
        }
        #expect(!FileManager.default.fileExists(atPath: root))
        let removed = try await cli.run(["image", "remove", "busybox:test"])
        #expect(removed.stdout == "Removed docker.io/library/busybox:test (\(digest))\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.home.appending("images/blobs/sha256")).isEmpty)
        #expect(try await cli.run(["image", "list"]).stdout == "No images.\n")
    }

    @Test func errorsAreClearAndLeaveTheStoreAsItWas() async throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(atPath: cli.home.path) }
        let good = try write(
            try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["good:1"]), cli, name: "g.tar")
        defer { try? FileManager.default.removeItem(atPath: good) }
        #expect(try await cli.run(["image", "load", good]).status == 0)
        let before = snapshot(cli)

        let missing = try await cli.run(["image", "remove", "node:20"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: No image 'node:20' in the store.\n")
        let invalid = try await cli.run(["image", "load", good, "--tag", "Bad:Name"])
        #expect(
            invalid.stderr
                == "error: 'Bad:Name' is not a valid image reference: the name must be lowercase letters, digits and separators ('.', '_', '-', '/').\n"
        )
        let absent = try await cli.run(["image", "load", cli.home.path + "-absent.tar"])
        #expect(absent.status == 2)
        #expect(absent.stderr.hasPrefix("error: Cannot read the image archive '\(cli.home.path)-absent.tar': "))
        #expect(snapshot(cli) == before)
    }

    @Test(arguments: HostileLayer.allCases)
    func eachKindOfUnsafeLayerIsRefused(kind: HostileLayer) async throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(atPath: cli.home.path) }
        let outside = try TemporaryDirectory(prefix: "cibox-outside")
        defer { try? FileManager.default.removeItem(atPath: outside.path) }
        try outside.write("keep me\n", to: "victim")
        let good = try write(
            try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["good:1"]), cli, name: "g.tar")
        let image = try TestImage.busybox(extraLayers: kind.layers(outside: outside.path))
        let hostile = try write(try TestImageArchive.dockerArchive(image, repoTags: ["hostile:1"]), cli, name: "h.tar")
        defer {
            for path in [good, hostile] { try? FileManager.default.removeItem(atPath: path) }
        }
        #expect(try await cli.run(["image", "load", good]).status == 0)
        let before = snapshot(cli)
        let refused = try await cli.run(["image", "load", hostile])
        #expect(refused.status == 2)
        var plain = image
        plain.compression = .plain
        let digests = try plain.layerBlobs().map(\.diffID)
        let layer = kind == .whiteoutThroughSymlink ? 3 : 2
        let source = "layer \(layer) (\(digests[layer - 1])) of docker.io/library/hostile:1 in '\(hostile)'"
        let reason =
            switch kind {
            case .dotDot:
                "Refused to unpack 'tmp/../../../../../../../../..\(outside.path)/dotdot' from \(source): the name is "
                    + "empty or leaves the target folder with '..'."
            case .absolute:
                "Refused to unpack '\(outside.path)/absolute' from \(source): absolute paths are not allowed in an "
                    + "archive."
            case .throughSymlink:
                "Refused to unpack 'link/through' from \(source): 'link' on its way is a symbolic link."
            case .whiteoutThroughSymlink:
                "Refused to unpack 'link/.wh.victim' from \(source): 'link' on its way is a symbolic link."
            case .whiteoutOfParent:
                "Refused to unpack 'tmp/.wh...' from \(source): a whiteout of '..'."
            case .hardlinkThroughSymlink:
                "Refused to unpack 'link/hard' from \(source): 'link' on its way is a symbolic link."
            }
        #expect(refused.stderr == "error: \(reason)\n")
        #expect(snapshot(cli) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["victim"])
        #expect(try await cli.run(["image", "list"]).stdout.split(separator: "\n").count == 1)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxImages
import Foundation

/// A small image made by a test, with no network and no Docker: layers of ``TarEntry`` and a config.
package struct TestImage: Sendable {
    /// How layers are compressed.
    package enum Compression: Sendable {
        case plain, gzip, zstd
    }

    /// The layers, bottom first.
    package var layers: [[TarEntry]]
    /// The config's `Env`, `User`, `WorkingDir`, `Cmd`.
    package var container: ContainerConfiguration
    /// The platform it claims.
    package var platform: Platform = HostPlatform.current
    /// How its layers are compressed.
    package var compression: Compression = .gzip

    /// Makes an image.
    package init(layers: [[TarEntry]], container: ContainerConfiguration = ContainerConfiguration()) {
        self.layers = layers
        self.container = container
    }

    /// A busybox root: `/bin/busybox` (busybox-static's) with `sh`, `ls`, `cat`, `echo`, `id` links, `/etc/passwd`
    /// with `tester` (uid 1000) whose home belongs to it, `/tmp`; config `Env`, `User` `tester`, `WorkingDir`.
    /// - Parameter extraLayers: layers above the base.
    package static func busybox(extraLayers: [[TarEntry]] = []) throws -> TestImage {
        guard let busybox = FileReader.contents(atPath: "/bin/busybox") else {
            throw FixtureError("/bin/busybox is missing: install busybox-static")
        }
        let base: [TarEntry] =
            [
                TarEntry("./", .folder), TarEntry("bin/", .folder),
                TarEntry("bin/busybox", .file(busybox), mode: 0o755),
            ] + applets.map { TarEntry("bin/" + $0, .symlink("busybox")) } + [
                TarEntry("etc/", .folder),
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\n"),
                .file("etc/group", "root:x:0:\ntester:x:1000:\n"),
                TarEntry("home/", .folder), TarEntry("home/tester/", .folder, mode: 0o750, uid: 1000, gid: 1000),
                TarEntry("root/", .folder, mode: 0o700), TarEntry("tmp/", .folder, mode: 0o1777),
            ]
        return TestImage(
            layers: [base] + extraLayers,
            container: ContainerConfiguration(
                env: ["PATH=/bin", "GREETING=hello from the image"], user: "tester", workingDir: "/home/tester",
                cmd: ["/bin/sh"]))
    }

    /// The busybox commands a test image has (links to `/bin/busybox`).
    package static let applets = [
        "sh", "ls", "cat", "echo", "id", "sleep", "mkdir", "touch", "rm", "wget", "httpd", "nc", "grep", "env", "head",
        "pwd", "test", "true", "false", "setsid", "ps", "kill", "dd", "seq", "sed", "wc", "tr", "printf", "hostname",
    ]

    /// Two busybox images whose file `/which` says `host` or `other`: one for this machine, one for another
    /// architecture (s390x, or arm64 on an s390x machine).
    package static func twoPlatforms() throws -> (other: TestImage, host: TestImage) {
        var other = try busybox(extraLayers: [[.file("which", "other")]])
        other.platform = Platform(
            architecture: HostPlatform.current.architecture == "s390x" ? "arm64" : "s390x", os: "linux")
        return (other, try busybox(extraLayers: [[.file("which", "host")]]))
    }

    /// Each layer as stored (compressed), with its media type and uncompressed digest.
    package func layerBlobs() throws -> [(bytes: [UInt8], mediaType: String, diffID: String)] {
        try layers.map { entries in
            let tar = TarWriter.archive(entries)
            let diffID = "sha256:" + SHA256Digest.hex(SHA256Digest.of(tar))
            switch compression {
            case .plain: return (tar, MediaTypes.ociLayers[0], diffID)
            case .gzip: return (try Self.filter(tar, "/usr/bin/gzip", ["-n", "-c"]), MediaTypes.ociLayers[1], diffID)
            case .zstd: return (try Self.filter(tar, "/usr/bin/zstd", ["-q", "-c"]), MediaTypes.ociLayers[2], diffID)
            }
        }
    }

    /// The config's JSON.
    package func configBytes(diffIDs: [String]) -> [UInt8] {
        let configuration = ImageConfiguration(
            architecture: platform.architecture, os: platform.os, variant: platform.variant, config: container,
            rootfs: RootFileSystem(diffIDs: diffIDs))
        return Self.json(configuration)
    }

    /// `value` as sorted JSON.
    package static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    /// `bytes` through a compressor (`gzip -n -c`, `zstd -q -c`).
    private static func filter(_ bytes: [UInt8], _ tool: String, _ arguments: [String]) throws -> [UInt8] {
        let folder = try TemporaryDirectory(prefix: "cibox-layer")
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let input = folder.appending("in")
        let output = folder.appending("out")
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardInput = FileHandle(forReadingAtPath: input)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = FileReader.contents(atPath: output) else {
            throw FixtureError("\(tool) failed")
        }
        return result
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether skopeo and Debian's distribution registry are installed.
private let hasRegistryTools = ["/usr/bin/skopeo", "/usr/bin/docker-registry"].allSatisfy {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// `cibox image load` of what `skopeo copy docker://… dir:FOLDER` wrote from a real registry on loopback.
@Suite(.enabled(if: hasRegistryTools, "needs skopeo and docker-registry"))
struct SkopeoDirLoadTests {
    /// A loopback port nothing listens on now (the kernel's pick for a socket bound to port 0).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw FixtureError("no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test(.timeLimit(.minutes(2)))
    func aDirFolderSkopeoPulledLoadsWithTheRegistrysDigest() async throws {
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-registry")
        defer { cli.home.remove(); folder.remove() }
        let port = try Self.freePort()
        try folder.write(
            "version: 0.1\nstorage: {filesystem: {rootdirectory: \(folder.appending("data"))}}\n"
                + "http: {addr: 127.0.0.1:\(port)}\n", to: "registry.yml")
        let registry = Process()
        registry.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        registry.arguments = ["serve", folder.appending("registry.yml")]
        registry.standardOutput = FileHandle.nullDevice
        registry.standardError = FileHandle.nullDevice
        try registry.run()
        let reference = "127.0.0.1:\(port)/team/app:1"
        let archive = folder.appending("image.tar")
        try TestImageArchive.dockerArchive(try TestImage.busybox(), repoTags: ["team/app:1"]).writeArchive(to: archive)
        try await withCleanup {
            var pushError = ""
            // The registry answers once it listens: the push is tried until then.
            #expect(
                try await eventually(seconds: 30) {
                    let push = try await ProcessRunner.run(
                        "/usr/bin/skopeo",
                        ["copy", "--dest-tls-verify=false", "docker-archive:" + archive, "docker://" + reference])
                    pushError = push.stderr
                    return push.status == 0
                }, "\(pushError)")
            let out = folder.appending("out")
            let pull = try await ProcessRunner.run(
                "/usr/bin/skopeo", ["copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + out])
            #expect(pull.status == 0, "\(pull.stderr)")
            let digest = try await ProcessRunner.run(
                "/usr/bin/skopeo",
                ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + reference]
            ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(digest.hasPrefix("sha256:"))
            let loaded = try await cli.run(["image", "load", out, "--tag", reference])
            #expect(loaded.status == 0, "\(loaded.stderr)")
            #expect(loaded.stdout == "Loaded \(reference) (\(digest))\n")
            let root = cli.home.appending("images/roots/" + digest.dropFirst(7))
            #expect(
                FileManager.default.contents(atPath: root + "/bin/busybox")
                    == FileManager.default.contents(atPath: "/bin/busybox"))
        } cleanup: {
            await registry.stop()
        }
    }
}

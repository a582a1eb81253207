// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// What a job's engine reaches: its own loopback by default, this machine's network with `images: { network: host }`
/// (with nothing made on this machine's network), and which platforms it refuses.
@Suite(
    .serialized, .machineSlot,
    .enabled(
        if: getuid() == 0
            && [
                "/usr/bin/podman", "/usr/bin/skopeo", "/usr/bin/unshare", "/usr/sbin/runc", "/usr/bin/docker",
                "/bin/busybox", "/usr/sbin/ip",
            ].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) },
        "a job's Docker engine needs root, podman, skopeo, unshare, runc, ip, a docker client and busybox"))
struct DockerEngineNetworkTests {
    /// busybox's web server on a free loopback port, serving `x` (`hello from the host`) from a folder of its own;
    /// stopped by its pid (SIGKILL: the test process may pass on an ignored SIGTERM to what it starts).
    final class WebServer {
        let port: UInt16
        private let process: Process
        private let folder: TemporaryDirectory

        init() async throws {
            folder = try TemporaryDirectory(prefix: "cibox-engine-web")
            try folder.write("hello from the host\n", to: "www/x")
            for _ in 0..<10 {
                let port = UInt16.random(in: 20_000...60_000)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/busybox")
                process.arguments = ["httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", folder.appending("www")]
                try process.run()
                if await TestRegistry.answers(port: port, process: process) {
                    (self.port, self.process) = (port, process)
                    return
                }
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            folder.remove()
            throw FixtureError("busybox httpd did not start")
        }

        func stop() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            folder.remove()
        }
    }

    /// This machine's network interfaces.
    static func links() async throws -> [String] {
        try await ProcessRunner.run("/usr/sbin/ip", ["-o", "link"]).stdout.split(separator: "\n")
            .compactMap { $0.split(separator: ":").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    @Test func withTheHostNetworkContainersAndBuildsReachThisMachineAndMakeNoNetwork() async throws {
        let web = try await WebServer()
        defer { web.stop() }
        let port = web.port
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  reach:
                    machine: true
                    steps:
                      - run: docker run --rm cibox-samples/app:1 wget -q -O- http://127.0.0.1:\(port)/x
                      - run: printf 'FROM cibox-samples/app:1\\nRUN wget -q -O /got http://127.0.0.1:\(port)/x\\n' > Dockerfile && docker build -q -t got . >/dev/null && docker run --rm got cat /got
                      - run: docker network create mine 2>&1 || true
                """, settings: "images: { network: host }\n")
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let before = try await Self.links()
        let output = try await cli.run(["run", repo.path, "--json"])
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        let log = try await cli.run(["logs", id]).stdout
        #expect(output.status == 0, "\(log)")
        #expect(try await cli.run(["logs", id, "--step", "0"]).stdout == "hello from the host\n")
        #expect(try await cli.run(["logs", id, "--step", "1"]).stdout.hasSuffix("hello from the host\n"))
        #expect(
            try await cli.run(["logs", id, "--step", "2"]).stdout
                == "Error response from daemon: cibox: this job's Docker engine shares this machine's network (images: "
                + "{ network: host }), so it makes no networks: containers reach each other and the job's steps on "
                + "127.0.0.1. Without that setting the engine has a network of its own, where `docker network "
                + "create` works.\n")
        #expect(try await Self.links() == before)
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
    }

    @Test func byDefaultTheEngineReachesNothingAndRefusesOtherArchitectures() async throws {
        let web = try await WebServer()
        defer { web.stop() }
        let port = web.port
        let other = HostPlatformName.other
        let (cli, repo, images) = try await DockerEngineTests.setUp(
            jobs: """
                  closed:
                    machine: true
                    steps:
                      - run: docker run --rm cibox-samples/app:1 wget -q -O- http://127.0.0.1:\(port)/x 2>&1 || echo "exit $?"
                      - run: (docker run --rm --platform linux/\(other) cibox-samples/app:1 true 2>&1 || true) | head -1
                """)
        defer { cli.home.remove(); repo.remove(); images.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        let id = String(try CLI.object(output).objects("workflows")[0].objects("jobs")[0].int("id") ?? 0)
        let log = try await cli.run(["logs", id]).stdout
        #expect(output.status == 0, "\(log)")
        #expect(
            try await cli.run(["logs", id, "--step", "0"]).stdout
                == "wget: can't connect to remote host (127.0.0.1): Connection refused\nexit 1\n")
        let host = HostPlatformName.current
        #expect(
            try await cli.run(["logs", id, "--step", "1"]).stdout
                == "docker: Error response from daemon: cibox: this machine runs linux/\(host) containers, not "
                + "linux/\(other) (no emulator for it is registered in /proc/sys/fs/binfmt_misc). Build and run "
                + "images for linux/\(host), or install qemu-user-binfmt on this machine.\n")
        let left = try await DockerEngineTests.leftovers(cli)
        #expect(left == [], "\(left)")
    }
}

/// This machine's architecture in Go's words, and another one with no emulator registered here.
enum HostPlatformName {
    static var current: String {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return ["x86_64": "amd64", "aarch64": "arm64"][machine] ?? machine
    }

    static var other: String {
        ["s390x", "riscv64", "ppc64le"].first {
            $0 != current && access("/proc/sys/fs/binfmt_misc/qemu-\($0)", F_OK) != 0
        } ?? "s390x"
    }
}

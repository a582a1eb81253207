// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ImageModeTests {
    /// A step that says where it runs: the image has `/bin/busybox` and `GREETING`, this machine has neither here.
    static let whereAmI = step("echo \"${GREETING:-on the host}\"")

    func run(
        _ fixture: ContainerFixture, image: String, mode: ContainerSandboxProvider.Mode, aliases: [String: String] = [:]
    )
        async -> (JobResult, [String])
    {
        let warnings = Mutex<[String]>([])
        let provider = ContainerSandboxProvider(
            store: fixture.store,
            runtime: fixture.provider().runtime, mode: mode, aliases: aliases, host: HostSandboxProvider()
        ) { message in warnings.withLock { $0.append(message) } }
        let executor = LocalExecutor(cgroups: CgroupManager.system(), sandboxes: provider)
        let result = await executor.run(
            fixture.request([Self.whereAmI], images: [DockerImage(image: image)]), observer: SilentObserver())
        await ContainerCleanups.shared.drain()
        return (result, warnings.withLock { $0 })
    }

    @Test func autoRunsAJobInItsImageWhenItIsThereAndOnTheHostWithOneWarningWhenNot() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let (inImage, none) = await run(fixture, image: "test/busybox:1", mode: .auto)
        #expect(inImage.status == .success && fixture.log(step: 0) == "hello from the image\n")
        #expect(none == [])
        let (onHost, warnings) = await run(fixture, image: "cimg/node:20", mode: .auto)
        #expect(onHost.status == .success && fixture.log(step: 0).hasSuffix("on the host\n"))
        #expect(
            warnings == [
                "the image 'cimg/node:20' is not in cibox's image store: its jobs run on this machine's shell. Load it "
                    + "with `cibox image load FILE`."
            ])
    }

    @Test func requiredFailsAJobWhoseImageIsMissingNamingItAndTheCommand() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        let (result, _) = await run(fixture, image: "cimg/node:20", mode: .required)
        #expect(result.status == .failed)
        #expect(result.failureReason == .infrastructure)
        #expect(
            result.failureMessage
                == "The image 'cimg/node:20' is not in cibox's image store. Load it with `cibox image load FILE` (an "
                + "archive from `docker save`), or set `images: { mode: auto }` to run such jobs on this machine.")
    }

    @Test func hostNeverUsesImages() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let (result, _) = await run(fixture, image: "test/busybox:1", mode: .host)
        #expect(result.status == .success && fixture.log(step: 0).hasSuffix("on the host\n"))
    }

    @Test func anAliasMapsTheConfigsReferenceToALoadedOne() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "internal/busybox:1.36")
        let (result, warnings) = await run(
            fixture, image: "cimg/base:2024.01", mode: .required,
            aliases: ["docker.io/cimg/base:2024.01": "docker.io/internal/busybox:1.36"])
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "hello from the image\n")
        #expect(warnings == [])
    }

    @Test func theHostNetworkSettingSharesThisMachinesNetwork() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let provider = fixture.provider(network: .host)
        let executor = LocalExecutor(cgroups: CgroupManager.system(), sandboxes: provider)
        let result = await executor.run(
            fixture.request(
                [step("ls /sys/class/net | wc -l; head -c 20 /etc/resolv.conf")],
                images: [DockerImage(image: "test/busybox:1")]),
            observer: SilentObserver())
        await ContainerCleanups.shared.drain()
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        let hostInterfaces = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net").count
        let hostResolver = String(
            decoding: (FileReader.contents(atPath: "/etc/resolv.conf") ?? []).prefix(20), as: UTF8.self)
        #expect(fixture.log(step: 0) == "\(hostInterfaces)\n\(hostResolver)")
    }
}

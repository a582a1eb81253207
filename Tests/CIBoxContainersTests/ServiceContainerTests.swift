// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ServiceContainerTests {
    /// A busybox image serving `/www` on port 8080 (busybox httpd), announcing itself on its output first.
    static func web() throws -> TestImage {
        var image = try TestImage.busybox(extraLayers: [
            [TarEntry("www/", .folder), .file("www/index.html", "hello from the service\n")]
        ])
        image.container.user = "root"
        image.container.entrypoint = ["/bin/sh", "-c"]
        image.container.cmd = ["echo \"service up as $(id -u) with $SECRET_TOKEN\"; exec httpd -f -p 8080 -h /www"]
        return image
    }

    @Test func aServiceIsReachedOnLocalhostAndByNameAndItsLogIsKeptMasked() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        try fixture.load(Self.web(), as: "test/web:1")
        var service = DockerImage(image: "test/web:1")
        service.environment = [EnvironmentVariable(name: "SECRET_TOKEN", value: "s3cr3t-value")]
        var request = fixture.request(
            [
                step(
                    "for i in $(seq 50); do wget -qO- http://localhost:8080/ 2>/dev/null && break; sleep 0.1; done; "
                        + "wget -qO- http://web:8080/"),
                step("ps -o pid,comm | grep -c httpd || true"),
            ], images: [DockerImage(image: "test/busybox:1"), service])
        request.secrets = ["s3cr3t-value"]
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "hello from the service\nhello from the service\n")
        // The primary container has its own pid namespace: the service's processes are not in it.
        #expect(fixture.log(step: 1) == "0\n")
        let log = try String(contentsOfFile: fixture.home.appending("logs/7/containers/web.log"), encoding: .utf8)
        #expect(log == "service up as 0 with ****\n")
        #expect(await fixture.leftovers(marker: "httpd -f -p 8080") == [])
    }

    @Test func aServiceThatEndsDoesNotFailTheJobAndItsLogSaysSo() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        var service = DockerImage(image: "test/busybox:1")
        service.name = "short"
        service.command = ["sh", "-c", "echo bye; exit 3"]
        let request = fixture.request(
            [step("sleep 1; echo done")], images: [DockerImage(image: "test/busybox:1"), service])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        let log = try String(contentsOfFile: fixture.home.appending("logs/7/containers/short.log"), encoding: .utf8)
        #expect(log == "bye\ncibox: the service 'short' ended with status 3 while the job ran\n")
    }

    @Test func withoutANetworkSettingAJobReachesNothingButItsOwnLoopback() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let request = fixture.request(
            [step("cat /etc/resolv.conf; ls /sys/class/net | tr '\\n' ' '")],
            images: [DockerImage(image: "test/busybox:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(
            fixture.log(step: 0)
                == "# cibox: a job's network is its own loopback (images: { network: host } shares this machine's).\nlo "
        )
    }
}

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct HostileContainerTests {
    @Test func aServiceNameCannotLeaveTheLogFolderOrAddHostsLines() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        var service = DockerImage(image: "test/busybox:1")
        service.name = "../../escape\n6.6.6.6 evil"
        service.command = ["sh", "-c", "echo up; sleep 5"]
        let request = fixture.request(
            [step("grep -c evil /etc/hosts || true; grep -c 6.6.6.6 /etc/hosts || true")],
            images: [DockerImage(image: "test/busybox:1"), service])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "1\n1\n")
        #expect(access(fixture.home.appending("escape"), F_OK) != 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.home.appending("logs/7/containers"))
        #expect(names == ["service-..-..-escape-6.6.6.6-evil.log"])
    }

    @Test func builtInStepsSeeTheContainersFilesNeverTheHosts() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let marker = fixture.home.appending("host-secret")
        try "host secret\n".write(toFile: marker, atomically: true, encoding: .utf8)
        let request = fixture.request(
            [
                step("ln -s \(marker) link; ln -s /etc/passwd passwd; ln -s ../../../../../../../etc/shadow up"),
                StepPlan(name: "artifacts", action: .storeArtifacts(path: "link", destination: nil)),
                StepPlan(name: "artifacts", action: .storeArtifacts(path: "passwd", destination: nil)),
                StepPlan(name: "artifacts", action: .storeArtifacts(path: "up", destination: nil)),
            ], images: [DockerImage(image: "test/busybox:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        let stored = fixture.home.appending("artifacts/7")
        // The link to a host path names nothing in the container: nothing is stored.
        #expect(fixture.log(step: 1).hasPrefix("Refused '/home/tester/project/link': a symbolic link to '\(marker)'"))
        #expect(access(stored + "/link", F_OK) != 0)
        // `/etc/passwd` is the image's.
        let passwd = try String(contentsOfFile: stored + "/passwd", encoding: .utf8)
        #expect(passwd.contains("tester:x:1000"))
        #expect(fixture.log(step: 3).hasPrefix("Refused '/home/tester/project/up'"))
        #expect(access(stored + "/up", F_OK) != 0)
    }
}

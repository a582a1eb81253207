// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxContainers
import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ContainerJobTests {
    @Test func stepsSeeTheImagesFilesEnvAndUserNotTheHosts() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let request = fixture.request(
            [
                step("echo \"$GREETING\"; id -u; echo \"$HOME\"; pwd"),
                step(
                    "test -e /bin/busybox && test ! -e /usr/bin/swift && test ! -e \(fixture.home.path) && echo isolated"
                ),
                step("echo made > here.txt && ls"),
            ], images: [DockerImage(image: "test/busybox:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "hello from the image\n1000\n/home/tester\n/home/tester/project\n")
        #expect(fixture.log(step: 1) == "isolated\n")
        #expect(fixture.log(step: 2) == "here.txt\n")
    }
}

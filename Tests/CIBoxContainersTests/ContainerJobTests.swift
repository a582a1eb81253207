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
                step("echo made > here.txt && ls && cat /etc/hostname"),
            ], images: [DockerImage(image: "test/busybox:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "hello from the image\n1000\n/home/tester\n/home/tester/project\n")
        #expect(fixture.log(step: 1) == "isolated\n")
        #expect(fixture.log(step: 2) == "here.txt\nbuild\n")
        #expect(await fixture.leftovers() == [])
    }

    @Test func checkoutHaltAndBashEnvWorkInAnImageWithoutGlibc() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let request = fixture.request(
            [
                StepPlan(name: "checkout", action: .checkout(path: nil)),
                step("cat README; ls -a"),
                step("echo 'export FROM_EARLIER=yes' >> \"$BASH_ENV\"; test -x /.cibox/bin/circleci-agent && echo ok"),
                step("circleci-agent step halt && echo halted"),
                step("echo never"),
            ], images: [DockerImage(image: "test/busybox:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0).contains("checked out into /home/tester/project"))
        #expect(fixture.log(step: 1) == "checked out\n.\n..\nREADME\n")
        #expect(fixture.log(step: 2) == "ok\n")
        #expect(fixture.log(step: 3).hasSuffix("halted\n"))
        #expect(result.steps.count == 5 && result.steps[4].status == .notRun)
        #expect(await fixture.leftovers() == [])
    }

    @Test func theContainerHasDockersCapabilitiesAndCanDropToAnotherUser() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        var image = try TestImage.busybox(extraLayers: [
            ["su", "find", "xargs"].map { TarEntry("bin/" + $0, .symlink("busybox")) }
        ])
        image.container.user = "root"
        try fixture.load(image, as: "test/root:1")
        let request = fixture.request(
            [
                step("grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status | tr -s '\\t' ' '"),
                step("su -s /bin/sh tester -c 'id -u'"),
                step("ulimit -Hn"),
                step(
                    "mkdir -p a/b && touch a/b/one.py a/two.py && circleci tests glob 'a/**/*.py' | circleci tests split"
                ),
            ], images: [DockerImage(image: "test/root:1")])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "CapBnd: 00000000a80425fb\nNoNewPrivs: 0\n")
        #expect(fixture.log(step: 1) == "1000\n")
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #expect(fixture.log(step: 2) == "\(min(UInt64(limit.rlim_max), 1_048_576))\n")
        #expect(fixture.log(step: 3) == "a/b/one.py\na/two.py\n")
    }

    @Test func aUserEntryRunsStepsAsThatUser() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        var entry = DockerImage(image: "test/busybox:1")
        entry.user = "root"
        let request = fixture.request([step("id -u; echo \"$HOME\"; touch written")], images: [entry])
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "0\n/root\n")
    }

    @Test func anUnknownUserFailsTheJobNamingIt() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        var entry = DockerImage(image: "test/busybox:1")
        entry.user = "circleci"
        let result = await fixture.run(fixture.request([step("true")], images: [entry]))
        #expect(result.status == .failed)
        #expect(result.failureReason == .infrastructure)
        #expect(
            result.failureMessage
                == "The image 'test/busybox:1' has no user 'circleci' in its /etc/passwd. Use a user the image has, or "
                + "a number (user: \"1000:1000\").")
    }
}

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ContainerRecoveryTests {
    @Test func containersOfEndedJobsAreRemovedAndThoseOfRunningJobsKept() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let request = fixture.request([step("true")], images: [DockerImage(image: "test/busybox:1")], jobID: 12)
        let manager = CgroupManager.system()
        let isolation = JobIsolation(
            jobID: 12, stateDirectory: fixture.home.path, limits: request.limits, manager: manager
        ) { _ in }
        let sandbox = try await fixture.provider().makeSandbox(for: request, isolation: isolation)
        try await sandbox.prepare(workingDirectory: "/home/tester/project")
        // Job 12 is still running (another cibox's): its container stays.
        var asked: [Int64] = []
        let kept = await ContainerRecovery.cleanEnded(home: fixture.home.path) { ids in
            asked = ids
            return Set(ids)
        }
        #expect(asked == [12] && kept == [])
        #expect(await fixture.leftovers(jobID: 12).contains { $0.hasPrefix("container ") })
        // Once it has ended, what is left of it goes.
        let removed = await ContainerRecovery.cleanEnded(home: fixture.home.path) { _ in [] }
        #expect(removed.count == 1)
        for group in manager.leftoverGroups(stateDirectory: fixture.home.path, jobIDs: [12]) {
            group.killAll()
            group.remove()
        }
        #expect(await fixture.leftovers(jobID: 12) == [])
    }

    @Test func whatAKilledCiboxLeftOfItsContainersIsRemovedAtTheNextStart() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let request = fixture.request([step("true")], images: [DockerImage(image: "test/busybox:1")])
        let manager = CgroupManager.system()
        let isolation = JobIsolation(
            jobID: 7, stateDirectory: fixture.home.path, limits: request.limits, manager: manager
        ) { _ in }
        let sandbox = try await fixture.provider().makeSandbox(for: request, isolation: isolation)
        try await sandbox.prepare(workingDirectory: "/home/tester/project")
        // cibox is gone without tearing anything down: the container, its overlay and cgroups are left.
        #expect(await fixture.leftovers() != [])
        let removed = await ContainerRecovery.clean(home: fixture.home.path, jobIDs: [7])
        #expect(removed.count == 1 && removed[0].hasSuffix("-primary"))
        for group in manager.leftoverGroups(stateDirectory: fixture.home.path, jobIDs: [7]) {
            group.killAll()
            group.remove()
        }
        #expect(await fixture.leftovers() == [])
    }
}

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct HandedBackFileTests {
    @Test func aFileTheAgentCommandsWriteForCiboxComesBackFromTheContainerButNeverThroughALink() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        let target = fixture.home.appending("continuations/4.json")
        var request = fixture.request(
            [step("echo \"$CIBOX_TEST_FILE\"; echo '{\"continued\": true}' > \"$CIBOX_TEST_FILE\"")],
            images: [DockerImage(image: "test/busybox:1")])
        request.agentEnvironment = ["CIBOX_TEST_FILE": target]
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        #expect(fixture.log(step: 0) == "/.cibox/job/CIBOX_TEST_FILE\n")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "{\"continued\": true}\n")

        let linked = fixture.home.appending("continuations/5.json")
        var hostile = fixture.request(
            [step("ln -s /etc/passwd \"$CIBOX_TEST_FILE\"")], images: [DockerImage(image: "test/busybox:1")],
            jobID: 8)
        hostile.agentEnvironment = ["CIBOX_TEST_FILE": linked]
        _ = await fixture.run(hostile)
        #expect(access(linked, F_OK) != 0)
    }
}

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ContainerTimingsTests {
    @Test func splittingByTimingsInAnImageReadsTheTimingsCiboxHandedIn() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        var request = fixture.request(
            [step("printf 'a.py\\nb.py\\nc.py\\n' | circleci tests split --split-by=timings 2>/dev/null")],
            images: [DockerImage(image: "test/busybox:1")])
        request.parallelism = 2
        let timings = TestTimings(byFile: ["a.py": 10, "b.py": 1, "c.py": 1])
        try Folders.make(request.controlDirectory, mode: 0o711)
        let file = request.controlDirectory + "/timings.json"
        try JSONEncoder().encode(timings).write(to: URL(fileURLWithPath: file))
        request.agentEnvironment = [TestTimings.fileVariable: file]
        let result = await fixture.run(request)
        #expect(result.status == .success, "\(result.failureMessage ?? "")")
        // By name, node 0 of 2 would get a.py and c.py; by these timings a.py alone outweighs the rest.
        #expect(fixture.log(step: 0) == "a.py\n")
    }
}

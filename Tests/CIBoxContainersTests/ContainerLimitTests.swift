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
struct ContainerLimitTests {
    static func image() throws -> TestImage {
        var image = try TestImage.busybox(extraLayers: [
            ["sort", "tail", "yes"].map { TarEntry("bin/" + $0, .symlink("busybox")) }
        ])
        image.container.user = "root"
        return image
    }

    @Test func aStepOverTheMemoryLimitIsKilledAndCountedAndTheNextStepRuns() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(Self.image(), as: "test/limits:1")
        var request = fixture.request(
            [
                step("head -c 300000000 /dev/zero | sort > /dev/null"),
                StepPlan(name: "after", condition: .always, action: .run(RunAction(command: "echo still here"))),
            ], images: [DockerImage(image: "test/limits:1")])
        request.limits = ResourceLimits(millicores: 1000, memoryBytes: 64 << 20, pids: 256)
        let result = await fixture.run(request)
        #expect(result.status == .failed)
        #expect(result.steps.first?.exitCode == 137)
        #expect(result.usage.oomKills >= 1)
        #expect(fixture.log(step: 1) == "still here\n")
        #expect(await fixture.leftovers() == [])
    }

    @Test func thePidsLimitHoldsInsideTheContainer() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(Self.image(), as: "test/limits:1")
        var request = fixture.request(
            [step("for i in $(seq 80); do sleep 3191 & done 2>/dev/null; echo started")],
            images: [DockerImage(image: "test/limits:1")])
        request.limits = ResourceLimits(millicores: 1000, memoryBytes: 256 << 20, pids: 32)
        let result = await fixture.run(request)
        #expect(result.usage.pidsLimitHits >= 1)
        #expect(await fixture.leftovers(marker: "sleep 3191") == [])
    }

    @Test func aTimeLimitLeavesNothingRunningNotEvenSetsidChildren() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(Self.image(), as: "test/limits:1")
        var request = fixture.request(
            [step("setsid sleep 3171 & (setsid sh -c 'sleep 3172' &); sleep 3173")],
            images: [DockerImage(image: "test/limits:1")])
        request.timeLimit = 1
        request.killGrace = 0.5
        let result = await fixture.run(request)
        #expect(result.status == .failed)
        #expect(result.failureReason == .timeout)
        #expect(await fixture.leftovers(marker: "sleep 317") == [])
    }

    @Test func cancellingTheJobLeavesNothingRunning() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(Self.image(), as: "test/limits:1")
        let request = fixture.request(
            [step("setsid sleep 3181 & touch started; sleep 3182")],
            images: [DockerImage(image: "test/limits:1")])
        let job = Task { await fixture.run(request) }
        let started = fixture.home.appending("work/7/started")
        for _ in 0..<200 where access(started, F_OK) != 0 { try await Task.sleep(for: .milliseconds(25)) }
        job.cancel()
        let result = await job.value
        #expect(result.status == .canceled)
        let left = await fixture.leftovers(marker: "sleep 318")
        #expect(left == [])
    }

    @Test func twoJobsOnOneImageNeverSeeEachOthersWrites() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(Self.image(), as: "test/limits:1")
        let command = "echo $CIRCLE_BUILD_NUM > /shared.txt; sleep 0.5; cat /shared.txt; ls /tmp"
        let first = fixture.request([step(command)], images: [DockerImage(image: "test/limits:1")], jobID: 21)
        let second = fixture.request([step(command)], images: [DockerImage(image: "test/limits:1")], jobID: 22)
        async let one = fixture.run(first)
        async let two = fixture.run(second)
        let results = await [one, two]
        #expect(results.map(\.status) == [.success, .success])
        #expect(fixture.log(21, step: 0) == "21\n")
        #expect(fixture.log(22, step: 0) == "22\n")
        let root = try fixture.store.prepare("test/limits:1").root
        #expect(access(root + "/shared.txt", F_OK) != 0)
    }
}

@Suite(.enabled(if: canRunContainers, "\(containersNeed)"), .serialized)
struct ParallelImageJobTests {
    @Test func twoJobsOfOneImageRunAtOnceWhileEachHoldsItsRoot() async throws {
        let fixture = try ContainerFixture()
        defer { fixture.home.remove() }
        try fixture.load(.busybox(), as: "test/busybox:1")
        // The first job waits for the second to talk to it (both on this machine's network): were a job's start
        // queued behind another job's end, the first would reach its time limit.
        let executor = LocalExecutor(cgroups: CgroupManager.system(), sandboxes: fixture.provider(network: .host))
        // A random port below the kernel's ephemeral range (a fixed one met another test's once).
        let port = Int.random(in: 20_000...32_000)
        var listener = fixture.request(
            // Listens until the talker's line comes: anything else on this machine may connect to the port first.
            [step("while true; do m=$(nc -l -p \(port)) || exit 1; [ \"$m\" = hello ] && echo \"$m\" && exit 0; done")],
            images: [DockerImage(image: "test/busybox:1")], jobID: 41)
        // Generous: under a loaded machine two container starts take seconds; a start queued behind the other job's
        // end would still never come before this limit.
        listener.timeLimit = 60
        var talker = fixture.request(
            [step("for i in $(seq 500); do echo hello | nc 127.0.0.1 \(port) && exit 0; sleep 0.1; done; exit 1")],
            images: [DockerImage(image: "test/busybox:1")], jobID: 42)
        talker.timeLimit = 60
        let first = Task { await executor.run(listener, observer: SilentObserver()) }
        // The second starts once the first runs its step (holding its image's root).
        let started = fixture.home.appending("logs/41/0.log")
        for _ in 0..<400 where access(started, F_OK) != 0 { try await Task.sleep(for: .milliseconds(25)) }
        let second = await executor.run(talker, observer: SilentObserver())
        let statuses = [await first.value.status, second.status]
        await ContainerCleanups.shared.drain()
        #expect(statuses == [.success, .success])
        #expect(fixture.log(41, step: 0) == "hello\n")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether this process may make cgroups (root, with a usable v1 or v2 hierarchy).
let canUseCgroups = getuid() == 0 && CgroupManager.system().mode != .none

/// Whether `python3` is on PATH.
let hasPython3 = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
    FileManager.default.isExecutableFile(atPath: "\($0)/python3")
}

@Suite(.serialized, .enabled(if: canUseCgroups, "needs root and a cgroup v1 or v2 hierarchy cibox can write"))
struct CgroupIsolationTests {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-cgroup")
    }

    func run(
        _ command: String, limits: ResourceLimits, noOutputTimeout: Double? = nil, cancelAfter: Double? = nil
    ) async -> JobResult {
        let step = StepPlan(name: "step", action: .run(RunAction(command: command, noOutputTimeout: noOutputTimeout)))
        var request = JobRunRequest(
            jobID: Int64.random(in: 1...1_000_000), jobName: "job", workflowID: 1, workflowName: "w", pipelineID: 1,
            pipelineNumber: 1, projectName: "p", repositoryPath: "/r", revision: "r", branch: nil, tag: nil,
            nodeIndex: 0, parallelism: 1, spec: JobSpec(definitionName: "job", steps: [step]),
            workDirectory: home.appending("work"), logDirectory: home.appending("logs"), source: FakeCheckout(),
            inheritedEnvironment: ProcessInfo.processInfo.environment
        )
        request.limits = limits
        request.resourceClass = "tiny"
        request.killGrace = 0.5
        let executor = LocalExecutor(cgroups: CgroupManager.system())
        let task = Task { await executor.run(request, observer: RecordingObserver()) }
        if let cancelAfter {
            try? await Task.sleep(for: .seconds(cancelAfter))
            task.cancel()
        }
        return await task.value
    }

    func log() -> String {
        (try? String(contentsOfFile: home.appending("logs/0.log"), encoding: .utf8)) ?? ""
    }

    @Test func memoryHogIsKilledAndReportedOOM() async {
        defer { home.remove() }
        let result = await run(
            "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived ${#x}",
            limits: ResourceLimits(millicores: 1000, memoryBytes: 64 * 1_048_576)
        )
        #expect(result.status == .failed)
        #expect(result.failureReason == .oom)
        #expect(result.usage.oomKills >= 1)
        #expect(result.failureMessage?.contains("memory limit of 64 MiB (resource_class tiny)") == true)
        #expect(!log().contains("survived"))
        #expect(result.isolation != IsolationMode.none)
    }

    @Test(.enabled(if: hasPython3, "the fork bomb is written in Python (python3 not on PATH)"))
    func forkBombStaysWithinPids() async {
        defer { home.remove() }
        let result = await run(
            """
            python3 - <<'PY'
            import os, sys, time
            started = 0
            for _ in range(200):
                try:
                    pid = os.fork()
                except OSError:
                    continue
                if pid == 0:
                    os.execvp("sleep", ["sleep", "3105"])
                started += 1
            print("started", started)
            PY
            """,
            limits: ResourceLimits(millicores: 1000, memoryBytes: 512 * 1_048_576, pids: 32)
        )
        #expect(result.status == .success, "log: \(log())")
        let started = log().split(separator: "\n").first { $0.hasPrefix("started ") }.flatMap { Int($0.dropFirst(8)) }
        #expect((started ?? 99) < 32, "log: \(log())")
        #expect((started ?? 0) > 10, "log: \(log())")
        #expect(processCount(containing: "sleep 3105") == 0)
    }

    @Test func halfACPUGivesHalfACPU() async {
        defer { home.remove() }
        let result = await run(
            "timeout 3 sh -c 'while :; do :; done' || true",
            limits: ResourceLimits(millicores: 500, memoryBytes: 256 * 1_048_576)
        )
        #expect(result.status == .success)
        // 3 s of wall time at 0.5 CPU is at most about 1.5 CPU seconds (without the quota a free core would
        // give 3). The quota is an upper bound; the lower bound only shows the loop ran, because other work
        // on this machine may take the CPU away from it.
        #expect(result.usage.cpuSeconds > 0.3 && result.usage.cpuSeconds < 1.7, "cpu \(result.usage.cpuSeconds)")
    }

    static let escapees = """
        setsid sleep 3101 >/dev/null 2>&1 < /dev/null &
        ( ( sleep 3102 >/dev/null 2>&1 < /dev/null & ) & )
        echo started
        sleep 3103
        """

    @Test func noOutputTimeoutLeavesNoProcessBehind() async {
        defer { home.remove() }
        let result = await run(
            Self.escapees, limits: ResourceLimits(millicores: 1000, memoryBytes: 256 * 1_048_576), noOutputTimeout: 1
        )
        #expect(result.failureReason == .noOutputTimeout)
        for marker in ["sleep 3101", "sleep 3102", "sleep 3103"] {
            #expect(processCount(containing: marker) == 0, "\(marker) survived")
        }
    }

    @Test func cancelLeavesNoProcessBehind() async {
        defer { home.remove() }
        let result = await run(
            Self.escapees, limits: ResourceLimits(millicores: 1000, memoryBytes: 256 * 1_048_576), cancelAfter: 1
        )
        #expect(result.status == .canceled)
        for marker in ["sleep 3101", "sleep 3102", "sleep 3103"] {
            #expect(processCount(containing: marker) == 0, "\(marker) survived")
        }
    }

    @Test func backgroundProcessesEndWithTheJob() async {
        defer { home.remove() }
        let result = await run(
            "setsid sleep 3104 >/dev/null 2>&1 < /dev/null & echo done",
            limits: ResourceLimits(millicores: 1000, memoryBytes: 256 * 1_048_576)
        )
        #expect(result.status == .success)
        #expect(processCount(containing: "sleep 3104") == 0)
        #expect(result.usage.peakMemoryBytes ?? 0 > 0)
    }
}

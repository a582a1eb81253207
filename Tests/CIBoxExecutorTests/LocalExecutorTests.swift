// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

/// Writes one marker file instead of a real checkout.
struct FakeCheckout: SourceCheckout {
    func checkout(into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("checked out\n".utf8).write(to: URL(fileURLWithPath: directory + "/README"))
        return "fake checkout into \(directory)"
    }
}

/// Records step events.
final class RecordingObserver: JobObserver {
    let events = Mutex<[String]>([])

    func stepStarted(jobID: Int64, index: Int, at date: Date) async {
        events.withLock { $0.append("start \(index)") }
    }

    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {
        events.withLock { $0.append("end \(index) \(result.status.rawValue)") }
    }
}

@Suite struct LocalExecutorTests {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-exec")
    }

    func request(_ steps: [StepPlan], environment: [EnvironmentVariable] = [], shell: String? = nil) -> JobRunRequest {
        JobRunRequest(
            jobID: 7, jobName: "build", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 5,
            projectName: "app", repositoryPath: "/srv/app", revision: String(repeating: "c", count: 40), branch: "main",
            tag: nil, nodeIndex: 0, parallelism: 1,
            spec: JobSpec(definitionName: "build", shell: shell, environment: environment, steps: steps),
            workDirectory: home.appending("work/7"), logDirectory: home.appending("logs/7"), source: FakeCheckout(),
            inheritedEnvironment: ProcessInfo.processInfo.environment, keepsWorkDirectory: true
        )
    }

    func run(_ steps: [StepPlan], environment: [EnvironmentVariable] = [], shell: String? = nil) async -> (
        JobResult, [String]
    ) {
        let observer = RecordingObserver()
        let result = await LocalExecutor().run(
            request(steps, environment: environment, shell: shell), observer: observer)
        return (result, observer.events.withLock { $0 })
    }

    func log(_ index: Int) -> String {
        (try? String(contentsOfFile: home.appending("logs/7/\(index).log"), encoding: .utf8)) ?? "<none>"
    }

    static func run(_ command: String, _ condition: StepCondition = .onSuccess) -> StepPlan {
        StepPlan(name: command, condition: condition, action: .run(RunAction(command: command)))
    }

    @Test func stepsRunInOrderAndSucceed() async {
        defer { home.remove() }
        let (result, events) = await run([
            StepPlan(name: "Checkout code", action: .checkout(path: nil)), Self.run("cat README; echo done"),
        ])
        #expect(result.status == .success)
        #expect(result.failureReason == nil)
        #expect(events == ["start 0", "end 0 success", "start 1", "end 1 success"])
        #expect(log(1) == "checked out\ndone\n")
        #expect(result.steps[1].logBytes == Int64("checked out\ndone\n".utf8.count))
    }

    @Test func failingStepStopsTheJobButAlwaysAndOnFailStepsRun() async {
        defer { home.remove() }
        let (result, events) = await run([
            Self.run("echo one"), Self.run("echo failing; exit 3"), Self.run("echo skipped"),
            Self.run("echo always", .always), Self.run("echo on-fail", .onFail),
        ])
        #expect(result.status == .failed)
        #expect(result.exitCode == 3)
        #expect(result.failureReason == .exitCode)
        #expect(result.steps.map(\.status) == [.success, .failed, .notRun, .success, .success])
        #expect(events.contains("end 2 not_run"))
        #expect(log(3) == "always\n")
        #expect(log(4) == "on-fail\n")
    }

    @Test func pipefailIsOnByDefaultAndShellCanBeChanged() async {
        defer { home.remove() }
        let (bash, _) = await run([Self.run("false | true")])
        #expect(bash.status == .failed)
        let (sh, _) = await run([Self.run("false | true")], shell: "/bin/sh")
        #expect(sh.status == .success)
    }

    @Test func environmentHasCircleCIVariablesAndJobAndStepValues() async {
        defer { home.remove() }
        let step = StepPlan(
            name: "env",
            action: .run(
                RunAction(
                    command:
                        "echo $CI $CIRCLECI $CIRCLE_SHA1 $CIRCLE_BRANCH $CIRCLE_JOB $CIRCLE_BUILD_NUM $CIRCLE_NODE_INDEX/$CIRCLE_NODE_TOTAL $CIRCLE_PIPELINE_NUMBER $CIRCLE_PROJECT_REPONAME $JOB_VAR $STEP_VAR; pwd; echo $HOME",
                    environment: [
                        EnvironmentVariable(name: "STEP_VAR", value: "step"),
                        EnvironmentVariable(name: "JOB_VAR", value: "overridden"),
                    ]
                )))
        let (result, _) = await run([step], environment: [EnvironmentVariable(name: "JOB_VAR", value: "job")])
        #expect(result.status == .success)
        let sha = String(repeating: "c", count: 40)
        #expect(
            log(0)
                == "true true \(sha) main build 7 0/1 5 app overridden step\n\(home.path)/work/7/project\n\(home.path)/work/7\n"
        )
    }

    @Test func outputIsStoredByteForByte() async throws {
        defer { home.remove() }
        let (result, _) = await run([Self.run("printf 'a\\000b\\377\\033[31mred\\033[0m\\r\\n'")])
        #expect(result.status == .success)
        let data = try Data(contentsOf: URL(fileURLWithPath: home.appending("logs/7/0.log")))
        #expect(Array(data) == [0x61, 0x00, 0x62, 0xFF, 0x1B] + Array("[31mred".utf8) + [0x1B] + Array("[0m\r\n".utf8))
    }

    @Test func stepWorkingDirectoryIsRelativeToTheJobs() async {
        defer { home.remove() }
        let step = StepPlan(name: "pwd", action: .run(RunAction(command: "pwd", workingDirectory: "sub/dir")))
        let (result, _) = await run([step])
        #expect(result.status == .success)
        #expect(log(0) == home.path + "/work/7/project/sub/dir\n")
    }

    @Test func noOutputTimeoutStopsTheStep() async {
        defer { home.remove() }
        let seconds = Int.random(in: 100_000...999_999)
        let step = StepPlan(
            name: "quiet", action: .run(RunAction(command: "echo start; sleep \(seconds)", noOutputTimeout: 0.5)))
        let (result, _) = await run([step, Self.run("echo after", .always)])
        #expect(result.status == .failed)
        #expect(result.failureReason == .noOutputTimeout)
        #expect(result.steps.map(\.status) == [.failed, .success])
        #expect(log(0) == "start\n")
        #expect(processCount(containing: "sleep \(seconds)") == 0)
    }

    @Test func cancellingTheTaskCancelsTheJob() async throws {
        defer { home.remove() }
        let observer = RecordingObserver()
        let request = request([Self.run("sleep 30"), Self.run("echo after", .always)])
        let task = Task { await LocalExecutor().run(request, observer: observer) }
        // Cancel once the first step runs (a cancel before it would leave both steps not run).
        for _ in 0..<500 where !observer.events.withLock({ $0.contains("start 0") }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.value
        #expect(result.status == .canceled)
        #expect(result.failureReason == .canceled)
        #expect(result.steps.map(\.status) == [.canceled, .notRun])
    }

    @Test func missingShellIsAClearInfrastructureFailure() async {
        defer { home.remove() }
        let (result, _) = await run([Self.run("true")], shell: "no-such-shell-xyz")
        #expect(result.status == .failed)
        #expect(result.failureReason == .infrastructure)
        #expect(
            log(0)
                == "The step's shell 'no-such-shell-xyz' is not on PATH. Install it or set `shell:` to an absolute path.\n"
        )
    }

    @Test func bashEnvCarriesVariablesBetweenSteps() async {
        defer { home.remove() }
        let (result, _) = await run([
            Self.run("echo 'export GREETING=hello' >> \"$BASH_ENV\""), Self.run("echo \"$GREETING world\""),
        ])
        #expect(result.status == .success)
        #expect(log(1) == "hello world\n")
    }

    @Test func haltEndsTheJobSuccessfullyAfterTheCurrentStep() async {
        defer { home.remove() }
        let (result, _) = await run([
            Self.run("touch \"$CIBOX_HALT_FILE\"; echo halting"), Self.run("echo never; exit 1"),
            Self.run("echo never either", .always),
        ])
        #expect(result.status == .success)
        #expect(result.steps.map(\.status) == [.success, .notRun, .notRun])
    }

    @Test func backgroundStepRunsAlongsideAndStopsAtJobEnd() async {
        defer { home.remove() }
        // A number no other test run on this machine uses, since the check looks at every process.
        let seconds = Int.random(in: 100_000...999_999)
        let server = StepPlan(
            name: "server",
            action: .run(
                RunAction(command: "echo started > \"$HOME/server.txt\"; exec sleep \(seconds)", isBackground: true))
        )
        let (result, events) = await run([
            server,
            Self.run(
                "for i in 1 2 3 4 5 6 7 8 9 10; do [ -f \"$HOME/server.txt\" ] && break; sleep 0.1; done; cat \"$HOME/server.txt\""
            ),
        ])
        #expect(result.status == .success)
        #expect(result.steps.map(\.status) == [.success, .success])
        #expect(log(1) == "started\n")
        #expect(events == ["start 0", "start 1", "end 1 success", "end 0 success"])
        #expect(processCount(containing: "sleep \(seconds)") == 0)
    }

    @Test func stepsLeaveNoDescriptorOpen() async throws {
        defer { home.remove() }
        func openDescriptors() -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0
        }
        _ = await run([Self.run("true")])
        let before = openDescriptors()
        _ = await run((0..<20).map { _ in Self.run("echo hi") })
        // Other tests run in this process at the same time, with descriptors of their own jobs (agent sockets,
        // pipes) that come and go: wait for them to settle. 20 leaked descriptors would stand out and stay.
        var extra = openDescriptors() - before
        for _ in 0..<100 where extra >= 10 {
            try await Task.sleep(for: .milliseconds(100))
            extra = openDescriptors() - before
        }
        #expect(extra < 10)
    }

    @Test func jobsStartingTogetherShareTheAgentCommands() async {
        defer { home.remove() }
        let results = await withTaskGroup(of: JobResult.self) { group in
            for index in 0..<8 {
                var request = request([Self.run("command -v circleci-agent >/dev/null && circleci-agent")])
                request.jobID = Int64(100 + index)
                request.workDirectory = home.appending("work/\(index)")
                request.logDirectory = home.appending("logs/\(index)")
                request.stateDirectory = home.appending("state")
                request.agentExecutable = "/bin/true"
                group.addTask { await LocalExecutor().run(request, observer: RecordingObserver()) }
            }
            var all: [JobResult] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.status == .success })
    }
}

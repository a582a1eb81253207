// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

@testable import CIBoxSlurm

/// Records what an executor reports.
final class EventLog: JobObserver {
    let events = Mutex<[String]>([])

    func stepStarted(jobID: Int64, index: Int, at date: Date) async {
        events.withLock { $0.append("start \(index)") }
    }

    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {
        events.withLock { $0.append("end \(index) \(result.status.rawValue)") }
    }

    func jobSubmitted(jobID: Int64, reference: String) async {
        events.withLock { $0.append("submitted \(reference)") }
    }

    var all: [String] { events.withLock { $0 } }
}

/// The Slurm executor and its agent together, with a fake Slurm that runs the agent in this process: what the
/// end-to-end tests check on a real cluster, here where no cluster can be installed.
@Suite struct SlurmExecutorTests {
    let root: TemporaryDirectory
    var shared: String { root.appending("shared") }
    var home: String { root.appending("home") }

    init() throws {
        root = try TemporaryDirectory(prefix: "cibox-slurm")
    }

    func request(_ steps: [StepPlan], jobID: Int64 = 9) -> JobRunRequest {
        var request = JobRunRequest(
            jobID: jobID, jobName: "build", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 5,
            projectName: "app", repositoryPath: "/srv/app", revision: String(repeating: "c", count: 40),
            branch: "main", tag: nil, nodeIndex: 0, parallelism: 1,
            spec: JobSpec(definitionName: "build", steps: steps), workDirectory: home + "/work/\(jobID)",
            logDirectory: home + "/logs/\(jobID)", source: MarkerCheckout(),
            inheritedEnvironment: ProcessInfo.processInfo.environment)
        request.sourceOrigin = SourceOrigin(
            repositoryPath: "/srv/app", revision: request.revision, branch: "main", workingTree: false)
        request.executor = .slurm
        request.stateDirectory = home
        request.storageDirectory = shared
        request.limits = ResourceLimits(millicores: 1000, memoryBytes: 1 << 30)
        request.resourceClass = "small"
        return request
    }

    func executor(_ slurm: FakeSlurm) -> SlurmExecutor {
        SlurmExecutor(
            settings: SlurmSettings(sharedDirectory: shared, pollInterval: 0.05), home: home,
            ciboxPath: "/usr/bin/cibox",
            client: slurm)
    }

    func log(_ request: JobRunRequest, step index: Int) -> String {
        (try? String(contentsOfFile: request.logPath(step: index), encoding: .utf8)) ?? "<none>"
    }

    static func run(_ command: String, when condition: StepCondition = .onSuccess) -> StepPlan {
        StepPlan(name: command, condition: condition, action: .run(RunAction(command: command)))
    }

    @Test func stepsRunThroughTheAgentAndTheirLogsReachTheStore() async throws {
        defer { root.remove() }
        let slurm = FakeSlurm()
        let events = EventLog()
        let request = request([
            StepPlan(name: "Checkout code", action: .checkout(path: nil)), Self.run("cat README; echo $CIRCLE_JOB"),
        ])
        let result = await executor(slurm).run(request, observer: events)
        #expect(result.status == .success)
        #expect(result.isolation == .slurm)
        #expect(result.steps.map(\.status) == [.success, .success])
        #expect(
            events.all == ["submitted slurm:101", "start 0", "end 0 success", "start 1", "end 1 success"])
        #expect(log(request, step: 1) == "checked out\nbuild\n")
        #expect(result.steps[1].logBytes == 18)
        // Everything is in the store now: the job's folder on the shared folder is gone.
        let folder = SlurmJobFolder(sharedDirectory: shared, home: home, jobID: 9)
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func aFailingStepGivesItsExitCodeAndAlwaysStepsStillRun() async {
        defer { root.remove() }
        let request = request([
            Self.run("echo before; exit 3"), Self.run("echo skipped"), Self.run("echo cleanup", when: .always),
        ])
        let result = await executor(FakeSlurm()).run(request, observer: EventLog())
        #expect(result.status == .failed)
        #expect(result.exitCode == 3)
        #expect(result.failureReason == .exitCode)
        #expect(result.steps.map(\.status) == [.failed, .notRun, .success])
        #expect(log(request, step: 0) == "before\n")
        #expect(log(request, step: 2) == "cleanup\n")
    }

    @Test func noOutputTimeoutAndTheTimeLimitAreTheAgentsAsOnThisMachine() async {
        defer { root.remove() }
        let quiet = StepPlan(
            name: "quiet", action: .run(RunAction(command: "echo once; sleep 30", noOutputTimeout: 0.3)))
        let silent = await executor(FakeSlurm()).run(request([quiet]), observer: EventLog())
        #expect(silent.failureReason == .noOutputTimeout)
        #expect(silent.steps.map(\.status) == [.failed])
        var long = request([Self.run("sleep 30")], jobID: 10)
        long.timeLimit = 0.3
        long.killGrace = 0.2
        let timedOut = await executor(FakeSlurm()).run(long, observer: EventLog())
        #expect(timedOut.failureReason == .timeout)
    }

    @Test func backgroundStepsEndWithTheJobAndReportLast() async {
        defer { root.remove() }
        let background = StepPlan(
            name: "server", action: .run(RunAction(command: "echo serving; sleep 30", isBackground: true)))
        let events = EventLog()
        let request = request([background, Self.run("echo client")])
        let result = await executor(FakeSlurm()).run(request, observer: events)
        #expect(result.status == .success)
        #expect(events.all.suffix(4) == ["start 0", "start 1", "end 1 success", "end 0 success"])
        #expect(log(request, step: 0) == "serving\n")
    }

    @Test func cancelScancelsAndWaitsForTheJobToEnd() async throws {
        defer { root.remove() }
        let slurm = FakeSlurm()
        let request = request([Self.run("echo started; sleep 60")])
        let executor = executor(slurm)
        let task = Task { await executor.run(request, observer: EventLog()) }
        for _ in 0..<200 where log(request, step: 0) != "started\n" { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        let result = await task.value
        #expect(slurm.cancels >= 1)
        #expect(result.status == .canceled)
        #expect(result.failureReason == .canceled)
        #expect(result.steps.map(\.status) == [.canceled])
    }

    @Test func cancelWhileQueuedEndsWithNoStepRun() async throws {
        defer { root.remove() }
        let slurm = FakeSlurm(runsJobs: false)
        let executor = executor(slurm)
        let request = request([Self.run("true")])
        let task = Task { await executor.run(request, observer: EventLog()) }
        for _ in 0..<200 where slurm.submits == 0 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.value
        #expect(result.status == .canceled)
        #expect(result.steps.map(\.status) == [.notRun])
    }

    @Test func aRestartedCiboxAttachesByReferenceAndCopiesEachByteOnce() async throws {
        defer { root.remove() }
        let slurm = FakeSlurm()
        let executor = executor(slurm)
        // The pause is long enough that the copy below happens between the two lines even on a loaded machine.
        var request = request([Self.run("echo one; sleep 3; echo two")])
        // The first cibox submitted the job and copied part of the log, then died.
        let folder = SlurmJobFolder(sharedDirectory: shared, home: home, jobID: request.jobID)
        let submission = try executor.prepare(folder, for: request)
        let id = try await slurm.submit(scriptPath: folder.scriptFile, arguments: submission.arguments)
        for _ in 0..<1000 where (try? String(contentsOfFile: folder.log(step: 0), encoding: .utf8)) != "one\n" {
            try await Task.sleep(for: .milliseconds(10))
        }
        StepLogCopy.copy(from: folder.log(step: 0), to: request.logPath(step: 0))
        #expect(log(request, step: 0) == "one\n")
        // The next one follows the same Slurm job instead of submitting another.
        request.executorReference = "slurm:\(id)"
        let events = EventLog()
        let result = await executor.run(request, observer: events)
        #expect(result.status == .success)
        #expect(slurm.submits == 1)
        #expect(!events.all.contains { $0.hasPrefix("submitted") })
        #expect(log(request, step: 0) == "one\ntwo\n")
    }

    @Test func aRefusedSubmissionIsAnInfrastructureFailureThatSaysWhy() async {
        defer { root.remove() }
        let slurm = FakeSlurm(submitFailure: "sbatch: error: invalid partition specified: gpu")
        let result = await executor(slurm).run(request([Self.run("true")]), observer: EventLog())
        #expect(result.failureReason == .infrastructure)
        #expect(
            result.failureMessage
                == "Cannot run job run 9 on Slurm: sbatch: error: invalid partition specified: gpu")
        #expect(result.steps.map(\.status) == [.notRun])
    }

    @Test func aPreflightFailureNeverReachesSlurm() async {
        defer { root.remove() }
        let slurm = FakeSlurm()
        var request = request([Self.run("true")])
        request.preflightFailure = "Context 'deploy' is not defined here."
        let result = await executor(slurm).run(request, observer: EventLog())
        #expect(result.failureMessage == "Context 'deploy' is not defined here.")
        #expect(slurm.submits == 0)
    }

    @Test func manyFollowersShareOneQueryOfTheCluster() async throws {
        defer { root.remove() }
        let slurm = FakeSlurm()
        let board = SlurmStateBoard(client: slurm, maxAge: .seconds(60))
        async let first = board.lookup("1")
        async let second = board.lookup("2")
        _ = await (first, second)
        let afterTwo = slurm.fetches
        #expect(afterTwo <= 2)
        for _ in 0..<5 { _ = await board.lookup("1") }
        #expect(slurm.fetches == afterTwo)
        #expect(await board.lookup("3") == .unknown)
    }

    @Test func logCopiesAppendOnlyWhatIsNew() throws {
        defer { root.remove() }
        try root.write("abc", to: "source.log")
        let source = root.appending("source.log")
        let destination = root.appending("copy.log")
        StepLogCopy.copy(from: source, to: destination)
        StepLogCopy.copy(from: source, to: destination)
        try root.write("abcdef", to: "source.log")
        StepLogCopy.copy(from: source, to: destination)
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "abcdef")
    }
}

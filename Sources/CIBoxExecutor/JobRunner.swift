// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the steps of one job run in order, in its sandbox: the environment, each step's process and log, the
/// built-in steps, and the CircleCI rules for `when` and failures. The same loop serves every sandbox (this
/// machine's shell, a container) and every place (this machine, a Slurm node).
final class JobRunner: Sendable {
    let request: JobRunRequest
    let observer: any JobObserver
    /// Where the job's processes run and which files they see.
    let sandbox: any JobSandbox
    /// The monitor of the step that runs now, so that cancellation can reach it.
    let current = Mutex<ProcessMonitor?>(nil)
    let canceled = Mutex(false)
    /// Steps started with `background: true`: their index, monitor and outcome, awaited at the job's end.
    let background = Mutex<[(Int, ProcessMonitor, Task<ProcessOutcome, Never>, Date)]>([])
    /// The clocks: monotonic for the time limit and timeouts, wall for timestamps.
    let clocks: Clocks
    /// The job's monotonic time since it started.
    let time: Stopwatch
    /// When, on `time`, every step must have ended (the job's time limit).
    let deadline: Duration
    /// The test cases read by `store_test_results` steps so far.
    let testCases = Mutex<[TestCase]>([])
    /// What gives the job a Docker engine (`setup_remote_docker`); nil: none here.
    let engines: (any DockerEngineProvider)?
    /// The job's Docker engine, once a step started it.
    let engine = Mutex<(any DockerEngine)?>(nil)

    /// Makes the runner of `request` in `sandbox`.
    init(
        request: JobRunRequest, observer: any JobObserver, sandbox: any JobSandbox, clocks: Clocks,
        engines: (any DockerEngineProvider)? = nil
    ) {
        self.request = request
        self.observer = observer
        self.sandbox = sandbox
        self.engines = engines
        self.clocks = clocks
        self.time = clocks.stopwatch()
        self.deadline = .seconds(request.timeLimit)
    }

    /// How the job sees its paths.
    var view: SandboxView { sandbox.view }

    /// Where the job's processes are contained.
    var isolation: JobIsolation { sandbox.isolation }

    /// Runs the job run to its end; cancelling the task stops the running step and skips the rest.
    func run() async -> JobResult {
        PhaseMarks.mark("job start")
        let startedAt = clocks.wall()
        let workingDirectory = view.resolve(request.spec.workingDirectory)
        do {
            try await prepareFolders(workingDirectory: workingDirectory)
            PhaseMarks.mark("job folders and sandbox")
        } catch {
            _ = await sandbox.tearDown()
            return await JobResult.notStarted(
                request, observer: observer, message: String(describing: error), startedAt: startedAt,
                now: clocks.wall)
        }
        let environment = JobEnvironment.make(for: request, workingDirectory: workingDirectory, view: view)
        let context = StepContext(workingDirectory: workingDirectory, environment: environment)
        return await withTaskCancellationHandler {
            await runSteps(context: context, startedAt: startedAt)
        } onCancel: {
            canceled.withLock { $0 = true }
            current.withLock { $0?.stop(for: .canceled) }
            background.withLock { steps in steps.forEach { $0.1.stop(for: .canceled) } }
        }
    }

    /// Stops the background steps still running (SIGTERM, then the grace period) and returns each one's
    /// result: success when it exited 0 or was stopped by the job's end, failed when it failed by itself.
    private func endBackgroundSteps() async -> [(Int, StepResult)] {
        let steps = background.withLock { $0 }
        for step in steps { step.1.stop(for: .canceled) }
        var results: [(Int, StepResult)] = []
        for (index, _, task, started) in steps {
            let outcome = await task.value
            let failedByItself =
                (outcome.stoppedFor == nil && outcome.exitCode != 0) || outcome.stoppedFor == .logWriteFailed
            results.append(
                (
                    index,
                    StepResult(
                        status: failedByItself ? .failed : .success, exitCode: outcome.exitCode,
                        logBytes: outcome.logBytes,
                        failureReason: failedByItself ? .exitCode : nil, startedAt: started,
                        finishedAt: clocks.wall()
                    )
                ))
        }
        return results
    }

    private func runSteps(context: StepContext, startedAt: Date) async -> JobResult {
        var context = context
        var results: [StepResult] = []
        var failure: (StepResult, String?)?
        var halted = false
        offerDockerEngine(to: &context)
        for (index, step) in request.spec.steps.enumerated() {
            let isCanceled = canceled.withLock { $0 }
            guard !isCanceled, !halted, shouldRun(step.condition, afterFailure: failure != nil) else {
                let skipped = StepResult(status: .notRun)
                results.append(skipped)
                await observer.stepFinished(jobID: request.jobID, index: index, result: skipped)
                continue
            }
            let started = clocks.wall()
            await observer.stepStarted(jobID: request.jobID, index: index, at: started)
            var (result, message) = await runStep(step, index: index, context: context)
            PhaseMarks.mark("step \(index + 1): \(step.name)")
            // From `setup_remote_docker` on, the steps reach the job's engine.
            if let engine = engine.withLock({ $0 }) { Self.reach(engine, from: &context) }
            results.append(result)
            if result.status == .running { continue }  // a background step: it ends with the job
            result.startedAt = started
            result.finishedAt = clocks.wall()
            results[index] = result
            await observer.stepFinished(jobID: request.jobID, index: index, result: result)
            if result.status != .success && failure == nil { failure = (result, message) }
            halted = sandbox.isHalted
        }
        for (index, result) in await endBackgroundSteps() {
            results[index] = result
            await observer.stepFinished(jobID: request.jobID, index: index, result: result)
            if result.status != .success && failure == nil { failure = (result, nil) }
        }
        if let engine = engine.withLock({ $0 }) {
            // The engine's containers and builds live in the job's cgroup: they end with its processes, and then
            // what the engine made goes.
            sandbox.killAll()
            await engine.stop()
        }
        let usage = await sandbox.tearDown()
        PhaseMarks.mark("teardown")
        var result = finish(results: results, failure: failure, startedAt: startedAt)
        result.usage = usage
        result.isolation = isolation.mode
        result.limits = isolation.limits
        result.resourceClass = request.resourceClass
        result.testCases = testCases.withLock { $0 }
        result.image = sandbox.image
        // Messages name paths, keys and commands that may hold a secret: masked before anything stores them.
        result.failureMessage = result.failureMessage.map { SecretMasker.mask($0, secrets: request.secrets) }
        return result
    }

    private func finish(results: [StepResult], failure: (StepResult, String?)?, startedAt: Date) -> JobResult {
        let wasCanceled = canceled.withLock { $0 }
        guard let (failed, message) = failure else {
            return JobResult(
                status: wasCanceled ? .canceled : .success,
                failureReason: wasCanceled ? .canceled : nil,
                startedAt: startedAt, finishedAt: clocks.wall(), steps: results
            )
        }
        let reason = failed.failureReason ?? .exitCode
        return JobResult(
            status: reason == .canceled ? .canceled : .failed,
            exitCode: failed.exitCode,
            failureReason: reason,
            failureMessage: message,
            startedAt: startedAt, finishedAt: clocks.wall(), steps: results
        )
    }

    private func shouldRun(_ condition: StepCondition, afterFailure: Bool) -> Bool {
        switch condition {
        case .onSuccess: !afterFailure
        case .always: true
        case .onFail: afterFailure
        }
    }

    /// Makes the step logs' folder (cibox's own), prepares the sandbox and makes the working directory in it.
    private func prepareFolders(workingDirectory: String) async throws(ExecutorError) {
        do {
            try Folders.make(request.logDirectory)
        } catch {
            throw ExecutorError(
                .workspace,
                "Cannot prepare the job's folders under '\(request.workDirectory)': \(error.localizedDescription)",
                cause: error)
        }
        try await sandbox.prepare(workingDirectory: workingDirectory)
    }
}

/// What every step of a job run shares.
struct StepContext {
    /// The job's working directory, absolute.
    var workingDirectory: String
    /// The job's environment before the step's own `environment`.
    var environment: [String: String]
}

extension JobRunner {
    /// Runs one step and returns its result and, for cibox's own faults, a message for the user.
    func runStep(_ step: StepPlan, index: Int, context: StepContext) async -> (StepResult, String?) {
        let logPath = request.logPath(step: index)
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard logFD >= 0 else {
            let message = "Cannot write the step's log '\(logPath)': \(String(cString: strerror(errno)))."
            return (StepResult(status: .failed, failureReason: .infrastructure), message)
        }
        defer { close(logFD) }
        guard sandbox.isIntact else {
            let message =
                "The job's folder '\(request.workDirectory)' was deleted while the job ran: step \(index) "
                + "(\(step.name)) cannot run. Nothing else may remove a running job's folder."
            let bytes = writeLog(message + "\n", to: logFD)
            return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
        }
        switch step.action {
        case .checkout(let path):
            let target = path.map { view.resolve($0, relativeTo: context.workingDirectory) } ?? context.workingDirectory
            do {
                let line = try await sandbox.files.checkout(request.source, into: target)
                let bytes = writeLog(line + "\n", to: logFD)
                return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
            } catch {
                let message = "Checkout into '\(target)' failed: \(error)"
                let bytes = writeLog(message + "\n", to: logFD)
                return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
            }
        case .run(let action):
            // As CircleCI shows a named step: the shell and the command first.
            let echoes = request.echoesCommands && step.name != RunAction.defaultName(of: action.command)
            let echoed = echoes ? StepLog.write(commandEcho(action), to: logFD) : 0
            var (result, message) = await runCommand(action, index: index, context: context, logFD: logFD)
            result.logBytes += echoed
            return (result, message)
        case .saveCache(let action):
            return await runSaveCache(action, context: context, logFD: logFD)
        case .restoreCache(let action):
            return await runRestoreCache(action, context: context, logFD: logFD)
        case .persistToWorkspace(let action):
            return await runPersistToWorkspace(action, context: context, logFD: logFD)
        case .attachWorkspace(let at):
            return await runAttachWorkspace(at: at, context: context, logFD: logFD)
        case .storeArtifacts(let path, let destination):
            return await runStoreArtifacts(path: path, destination: destination, context: context, logFD: logFD)
        case .storeTestResults(let path):
            return await runStoreTestResults(path: path, context: context, logFD: logFD)
        case .setupRemoteDocker(let action):
            return await runSetupRemoteDocker(action, logFD: logFD)
        case .unsupported(let key, let message, let isFatal):
            let bytes = writeLog(message + "\n", to: logFD)
            // A job that needs a Docker engine cibox does not give cannot pass: the machine's fault, not the job's.
            if isFatal, key == "setup_remote_docker" {
                return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
            }
            if isFatal { return (StepResult(status: .failed, exitCode: 1, logBytes: bytes), nil) }
            return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
        }
    }
}

extension JobRunner {
    /// Appends cibox's own `text` to a step's log, the job's secrets masked; returns the bytes written.
    func writeLog(_ text: String, to fd: Int32) -> Int64 {
        StepLog.write(SecretMasker.mask(text, secrets: request.secrets), to: fd)
    }
}

/// Writes cibox's own lines into a step log.
enum StepLog {
    /// Appends `text` to the log and returns the bytes written.
    static func write(_ text: String, to fd: Int32) -> Int64 {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return Int64(max(0, written))
    }
}

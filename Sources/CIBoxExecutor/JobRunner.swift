// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the steps of one job run in order on this machine: the workspace, the environment, each step's
/// process and log, and the CircleCI rules for `when` and failures.
final class JobRunner: Sendable {
    let request: JobRunRequest
    let observer: any JobObserver
    let paths: JobPaths
    /// The monitor of the step that runs now, so that cancellation can reach it.
    let current = Mutex<ProcessMonitor?>(nil)
    let canceled = Mutex(false)
    /// Steps started with `background: true`: their index, monitor and outcome, awaited at the job's end.
    let background = Mutex<[(Int, ProcessMonitor, Task<ProcessOutcome, Never>, Date)]>([])
    /// Where the job's processes are contained.
    let isolation: JobIsolation
    /// When every step must have ended (the job's time limit).
    let deadline: Date
    /// The test cases read by `store_test_results` steps so far.
    let testCases = Mutex<[TestCase]>([])

    init(
        request: JobRunRequest, observer: any JobObserver, cgroups: CgroupManager?, enclosing: EnclosingCgroup? = nil,
        warn: @Sendable (String) -> Void
    ) {
        self.request = request
        self.observer = observer
        self.paths = JobPaths(home: request.workDirectory)
        self.isolation = JobIsolation(
            jobID: request.jobID, stateDirectory: request.agentStateDirectory, limits: request.limits, manager: cgroups,
            enclosing: enclosing, warn: warn
        )
        self.deadline = Date().addingTimeInterval(request.timeLimit)
    }

    /// Runs the job run to its end; cancelling the task stops the running step and skips the rest.
    func run() async -> JobResult {
        let startedAt = Date()
        let workingDirectory = paths.resolve(request.spec.workingDirectory)
        if let failure = request.preflightFailure {
            _ = isolation.end()
            return await infrastructureFailure(ExecutorError(.workspace, failure), startedAt: startedAt)
        }
        do {
            try prepareFolders(workingDirectory: workingDirectory)
        } catch {
            _ = isolation.end()
            return await infrastructureFailure(error, startedAt: startedAt)
        }
        let environment = JobEnvironment.make(for: request, workingDirectory: workingDirectory)
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
                        failureReason: failedByItself ? .exitCode : nil, startedAt: started, finishedAt: Date()
                    )
                ))
        }
        return results
    }

    private func runSteps(context: StepContext, startedAt: Date) async -> JobResult {
        var results: [StepResult] = []
        var failure: (StepResult, String?)?
        var halted = false
        for (index, step) in request.spec.steps.enumerated() {
            let isCanceled = canceled.withLock { $0 }
            guard !isCanceled, !halted, shouldRun(step.condition, afterFailure: failure != nil) else {
                let skipped = StepResult(status: .notRun)
                results.append(skipped)
                await observer.stepFinished(jobID: request.jobID, index: index, result: skipped)
                continue
            }
            let started = Date()
            await observer.stepStarted(jobID: request.jobID, index: index, at: started)
            var (result, message) = await runStep(step, index: index, context: context)
            results.append(result)
            if result.status == .running { continue }  // a background step: it ends with the job
            result.startedAt = started
            result.finishedAt = Date()
            results[index] = result
            await observer.stepFinished(jobID: request.jobID, index: index, result: result)
            if result.status != .success && failure == nil { failure = (result, message) }
            halted = FileManager.default.fileExists(atPath: paths.haltFile)
        }
        for (index, result) in await endBackgroundSteps() {
            results[index] = result
            await observer.stepFinished(jobID: request.jobID, index: index, result: result)
            if result.status != .success && failure == nil { failure = (result, nil) }
        }
        let usage = isolation.end()
        cleanUp()
        var result = finish(results: results, failure: failure, startedAt: startedAt)
        result.usage = usage
        result.isolation = isolation.mode
        result.limits = isolation.limits
        result.resourceClass = request.resourceClass
        result.testCases = testCases.withLock { $0 }
        return result
    }

    private func finish(results: [StepResult], failure: (StepResult, String?)?, startedAt: Date) -> JobResult {
        let wasCanceled = canceled.withLock { $0 }
        guard let (failed, message) = failure else {
            return JobResult(
                status: wasCanceled ? .canceled : .success,
                failureReason: wasCanceled ? .canceled : nil,
                startedAt: startedAt, finishedAt: Date(), steps: results
            )
        }
        let reason = failed.failureReason ?? .exitCode
        return JobResult(
            status: reason == .canceled ? .canceled : .failed,
            exitCode: failed.exitCode,
            failureReason: reason,
            failureMessage: message,
            startedAt: startedAt, finishedAt: Date(), steps: results
        )
    }

    private func shouldRun(_ condition: StepCondition, afterFailure: Bool) -> Bool {
        switch condition {
        case .onSuccess: !afterFailure
        case .always: true
        case .onFail: afterFailure
        }
    }

    private func prepareFolders(workingDirectory: String) throws {
        do {
            try Folders.make(request.workDirectory + "/.cibox")
            try Folders.make(workingDirectory)
            try Folders.make(request.logDirectory)
            _ = FileManager.default.createFile(atPath: paths.bashEnv, contents: nil)
            if let agent = request.agentExecutable {
                try AgentCommands.install(calling: agent, stateDirectory: request.agentStateDirectory)
            }
            if let user = request.runAs { try Self.giveAway(request.workDirectory, to: user) }
        } catch {
            throw ExecutorError(
                .workspace,
                "Cannot prepare the job's folders under '\(request.workDirectory)': \(error.localizedDescription)"
            )
        }
    }

    /// Makes `path` and everything under it belong to `user` (symbolic links themselves, never their targets).
    static func giveAway(_ path: String, to user: (uid: UInt32, gid: UInt32)) throws(ExecutorError) {
        guard lchown(path, user.uid, user.gid) == 0 else {
            throw ExecutorError(
                .workspace, "Cannot give '\(path)' to user \(user.uid): \(String(cString: strerror(errno))).")
        }
        // attributesOfItem does not follow symbolic links, like lstat.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeDirectory else { return }
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            try giveAway(path + "/" + child, to: user)
        }
    }

    /// A job that could not even start its steps: every step is `not_run`, the job fails as infrastructure.
    private func infrastructureFailure(_ error: any Error, startedAt: Date) async -> JobResult {
        await JobResult.notStarted(
            request, observer: observer, message: String(describing: error), startedAt: startedAt)
    }

    private func cleanUp() {
        guard !request.keepsWorkDirectory else { return }
        FolderTree.remove(request.workDirectory)
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
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logFD >= 0 else {
            let message = "Cannot write the step's log '\(logPath)': \(String(cString: strerror(errno)))."
            return (StepResult(status: .failed, failureReason: .infrastructure), message)
        }
        defer { close(logFD) }
        guard access(request.workDirectory, F_OK) == 0 else {
            let message =
                "The job's folder '\(request.workDirectory)' was deleted while the job ran: step \(index) "
                + "(\(step.name)) cannot run. Nothing else may remove a running job's folder."
            let bytes = StepLog.write(message + "\n", to: logFD)
            return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
        }
        switch step.action {
        case .checkout(let path):
            let target =
                path.map { paths.resolve($0, relativeTo: context.workingDirectory) } ?? context.workingDirectory
            do {
                // libgit2 refuses a repository owned by another user: with run_as, cibox checks out into a folder
                // of its own, then gives the files to the job's user.
                if request.runAs != nil { lchown(target, getuid(), getgid()) }
                let line = try request.source.checkout(into: target)
                if let user = request.runAs { try Self.giveAway(target, to: user) }
                let bytes = StepLog.write(line + "\n", to: logFD)
                return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
            } catch {
                let message = "Checkout into '\(target)' failed: \(error)"
                let bytes = StepLog.write(message + "\n", to: logFD)
                return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
            }
        case .run(let action):
            return await runCommand(action, index: index, context: context, logFD: logFD)
        case .saveCache(let action):
            return runSaveCache(action, context: context, logFD: logFD)
        case .restoreCache(let action):
            return givenToTheJobsUser(runRestoreCache(action, context: context, logFD: logFD), logFD: logFD)
        case .persistToWorkspace(let action):
            return runPersistToWorkspace(action, context: context, logFD: logFD)
        case .attachWorkspace(let at):
            return givenToTheJobsUser(runAttachWorkspace(at: at, context: context, logFD: logFD), logFD: logFD)
        case .storeArtifacts(let path, let destination):
            return runStoreArtifacts(path: path, destination: destination, context: context, logFD: logFD)
        case .storeTestResults(let path):
            return runStoreTestResults(path: path, context: context, logFD: logFD)
        case .unsupported(_, let message, let isFatal):
            let bytes = StepLog.write(message + "\n", to: logFD)
            if isFatal { return (StepResult(status: .failed, exitCode: 1, logBytes: bytes), nil) }
            return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
        }
    }
}

extension JobRunner {
    /// With run_as, what cibox itself wrote into the job's folder (a restored cache, an attached workspace)
    /// goes to the job's user, so its steps can change it; a failure to do so fails the step.
    func givenToTheJobsUser(_ outcome: (StepResult, String?), logFD: Int32) -> (StepResult, String?) {
        guard let user = request.runAs, outcome.0.status == .success else { return outcome }
        do {
            try Self.giveAway(request.workDirectory, to: user)
            return outcome
        } catch {
            let message = error.message
            let bytes = StepLog.write(message + "\n", to: logFD)
            return (
                StepResult(status: .failed, logBytes: outcome.0.logBytes + bytes, failureReason: .infrastructure),
                message
            )
        }
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

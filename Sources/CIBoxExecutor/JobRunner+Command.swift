// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
internal import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension JobRunner {
    /// Runs a `run` step: writes its script, starts the shell in its own session, and monitors it.
    func runCommand(_ action: RunAction, index: Int, context: StepContext, logFD: Int32) async -> (StepResult, String?)
    {
        do {
            let before = isolation.events
            let process = try await startCommand(action, index: index, context: context, logFD: logFD)
            if action.isBackground {
                let task = Task { await process.outcome() }
                background.withLock { $0.append((index, process, task, clocks.wall())) }
                let bytes = StepLog.write("", to: logFD)
                return (StepResult(status: .running, logBytes: bytes), nil)
            }
            current.withLock { $0 = process }
            if canceled.withLock({ $0 }) { process.stop(for: .canceled) }
            let outcome = await process.outcome()
            current.withLock { $0 = nil }
            isolation.didFinish(cpuSeconds: outcome.cpuSeconds, peakMemoryBytes: outcome.peakMemoryBytes)
            let after = isolation.events
            if outcome.exitCode != 0, outcome.stoppedFor == nil, after.oomKills > before.oomKills {
                return oomResult(outcome, logFD: logFD)
            }
            if let code = outcome.logWriteError { return logFailure(outcome, errno: code, index: index) }
            var result = result(of: outcome)
            result.logBytes += noteLimitEvents(
                oomKills: after.oomKills - before.oomKills, pidsLimitHits: after.pidsLimitHits - before.pidsLimitHits,
                logFD: logFD)
            return (result, nil)
        } catch {
            let message = error.description
            let bytes = writeLog(message + "\n", to: logFD)
            return (StepResult(status: .failed, logBytes: bytes, failureReason: .infrastructure), message)
        }
    }

    /// `#!SHELL` and the command on the lines after it, secrets masked: what CircleCI prints at the top of a step.
    func commandEcho(_ action: RunAction) -> String {
        let shell = action.shell ?? request.spec.shell ?? view.defaultShell
        let text = "#!\(shell)\n\(action.command)\(action.command.hasSuffix("\n") ? "" : "\n")"
        guard var masker = SecretMasker(request.secrets) else { return text }
        return String(decoding: masker.process(Array(text.utf8)[...]) + masker.flush(), as: UTF8.self)
    }

    private func startCommand(
        _ action: RunAction, index: Int, context: StepContext, logFD: Int32
    ) async throws(ExecutorError) -> ProcessMonitor {
        let directory =
            action.workingDirectory.map { view.resolve($0, relativeTo: context.workingDirectory) }
            ?? context.workingDirectory
        var environment = context.environment
        for variable in action.environment { environment[variable.name] = variable.value }
        let script = try sandbox.writeControlFile(named: "step-\(index).sh", contents: action.command)
        let shell = try ShellCommand.words(of: action.shell ?? request.spec.shell ?? view.defaultShell)
        var pipeFDs: [Int32] = [-1, -1]
        guard cibox_pipe(&pipeFDs, 0) == 0 else {
            throw ExecutorError(
                .spawnFailed, "Cannot make a pipe for step \(index + 1): \(String(cString: strerror(errno))).")
        }
        defer { close(pipeFDs[1]) }
        let process: any SandboxProcess
        do {
            process = try await sandbox.spawn(
                SandboxCommand(
                    program: shell[0], arguments: Array(shell.dropFirst()) + [script], environment: environment,
                    directory: directory, output: pipeFDs[1]))
        } catch {
            close(pipeFDs[0])
            throw error
        }
        let sandbox = self.sandbox
        let monitorLog = fcntl(logFD, F_DUPFD_CLOEXEC, 0)
        return ProcessMonitor(
            process: process, outputFD: pipeFDs[0], logFD: monitorLog, time: time,
            noOutputTimeout: action.isBackground ? nil : .seconds(action.noOutputTimeout ?? request.noOutputTimeout),
            deadline: deadline, killGrace: .seconds(request.killGrace), killEverything: { sandbox.killAll() },
            secrets: request.secrets
        )
    }

    /// Says in the step's log what the kernel refused or killed while the step went on (the job's cgroup's event
    /// counters), as CircleCI shows it: a fork refused at the pids limit, a process killed for memory. Returns the
    /// bytes written.
    private func noteLimitEvents(oomKills: Int, pidsLimitHits: Int, logFD: Int32) -> Int64 {
        var text = ""
        if pidsLimitHits > 0, let limits = isolation.limits {
            text +=
                "cibox: pids limit \(limits.pids) reached: the kernel refused to start a process "
                + (pidsLimitHits == 1 ? "once" : "\(pidsLimitHits) times")
                + " (resource_class \(request.resourceClass)).\n"
        }
        if oomKills > 0 {
            let limit = isolation.limits.map { ByteCount.format($0.memoryBytes) } ?? "unknown"
            text +=
                "cibox: a process was killed: out of memory (limit \(limit))"
                + (oomKills == 1 ? "" : ", \(oomKills) times") + "; the step went on.\n"
        }
        return text.isEmpty ? 0 : writeLog(text, to: logFD)
    }

    /// A step killed by the kernel for lack of memory: `oom`, with the limit in the log and the message.
    private func oomResult(_ outcome: ProcessOutcome, logFD: Int32) -> (StepResult, String?) {
        let limit = isolation.limits.map { ByteCount.format($0.memoryBytes) } ?? "unknown"
        let message =
            "Out of memory: the job used more than its memory limit of \(limit) (resource_class \(request.resourceClass)) "
            + "and the kernel killed it. Use a larger resource_class or use less memory."
        let bytes = outcome.logBytes + writeLog("\n" + message + "\n", to: logFD)
        let result = StepResult(status: .failed, exitCode: outcome.exitCode, logBytes: bytes, failureReason: .oom)
        return (result, message)
    }

    /// A step whose output could not be written to its log (a full disk): stopped, `infrastructure`, with the
    /// log's path and the system's reason in the message.
    private func logFailure(_ outcome: ProcessOutcome, errno code: Int32, index: Int) -> (StepResult, String?) {
        let path = request.logPath(step: index)
        let message =
            "Cannot write the step's log '\(path)': \(String(cString: strerror(code))). The step was stopped "
            + "because its output could not be kept; the log holds what was written before. "
            + (code == ENOSPC || code == EDQUOT
                ? "Free space on the disk that holds '\(request.logDirectory)' (cibox gc) and run the pipeline again."
                : "Check that folder's permissions and run the pipeline again.")
        let result = StepResult(
            status: .failed, exitCode: outcome.exitCode, logBytes: outcome.logBytes, failureReason: .infrastructure)
        return (result, message)
    }

    private func result(of outcome: ProcessOutcome) -> StepResult {
        switch outcome.stoppedFor {
        case .canceled?:
            return StepResult(
                status: .canceled, exitCode: outcome.exitCode, logBytes: outcome.logBytes, failureReason: .canceled)
        case .noOutputTimeout?:
            return StepResult(
                status: .failed, exitCode: outcome.exitCode, logBytes: outcome.logBytes, failureReason: .noOutputTimeout
            )
        case .timeout?:
            return StepResult(
                status: .failed, exitCode: outcome.exitCode, logBytes: outcome.logBytes, failureReason: .timeout)
        case .logWriteFailed?:
            return StepResult(
                status: .failed, exitCode: outcome.exitCode, logBytes: outcome.logBytes,
                failureReason: .infrastructure)
        case nil:
            let status: StepStatus = outcome.exitCode == 0 ? .success : .failed
            return StepResult(
                status: status, exitCode: outcome.exitCode, logBytes: outcome.logBytes,
                failureReason: status == .success ? nil : .exitCode
            )
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension SlurmExecutor {
    /// Seconds Slurm may take to call a job final after its agent wrote the result (the batch step's end, and the
    /// out-of-memory check that comes with it); after that the agent's result stands alone.
    static let finalStateGrace: Double = 30
    /// Seconds a job may be unknown to Slurm, with no result, before it is taken as lost.
    static let lostGrace: Double = 15

    /// Follows `job` until Slurm says it ended (or it is lost), then returns its result.
    func follow(_ job: FollowedJob) async -> JobResult {
        let stepCount = job.request.spec.steps.count
        // cibox's own log folder of the job (an earlier cibox made it, unless this one submitted the job).
        try? Folders.make(job.request.logDirectory)
        var progress = StepProgress(stepCount: stepCount)
        var cancelSent = false
        var finalState: SlurmJobState?
        var resultSeenAt: Date?
        var unknownSince: Date?
        // cibox's own backstop if Slurm stays unreachable: the job's time limit and a margin after submission.
        let deadline = job.submittedAt.addingTimeInterval(job.request.timeLimit + 600)
        while true {
            if job.canceled.isSet, !cancelSent {
                cancelSent = (try? await client.cancel(job.slurmID)) != nil
            }
            await progress.report(job)
            let now = Date()
            let hasResult = FileManager.default.fileExists(atPath: job.folder.resultFile)
            if hasResult { resultSeenAt = resultSeenAt ?? now }
            switch await board.lookup(job.slurmID) {
            case .known(let state):
                unknownSince = nil
                if state.isFinal { finalState = state }
            case .unknown:
                unknownSince = unknownSince ?? now
            case .unreachable:
                break
            }
            if finalState != nil { break }
            if let unknownSince, hasResult || now.timeIntervalSince(unknownSince) > Self.lostGrace { break }
            if let resultSeenAt, now.timeIntervalSince(resultSeenAt) > Self.finalStateGrace { break }
            if now > deadline { break }
            try? await Task.sleep(for: .milliseconds(Int(settings.pollInterval * 1000)))
        }
        await board.forget(job.slurmID)
        await progress.report(job, isFinal: true)
        let outcome = SlurmOutcome(
            stepCount: stepCount, agentResult: AgentFiles.read(JobResult.self, from: job.folder.resultFile),
            steps: progress.finished, started: progress.started, state: finalState,
            canceledByCibox: job.canceled.isSet, slurmJobID: job.slurmID, limits: job.request.limits,
            resourceClass: job.request.resourceClass, folder: job.folder.path, outputTail: job.folder.outputTail(),
            submittedAt: job.submittedAt)
        let result = outcome.result(now: Date())
        for (index, step) in result.steps.enumerated() where !progress.reportedFinish.contains(index) {
            await job.observer.stepFinished(jobID: job.request.jobID, index: index, result: step)
        }
        // An agent that lost its way leaves its folder for a look; everything else is in the store now.
        if !job.request.keepsWorkDirectory, result.failureReason != .infrastructure { job.folder.remove() }
        return result
    }
}

/// What the agent has said about the steps so far, and what cibox has passed on.
struct StepProgress {
    let stepCount: Int
    /// When each step started, by index.
    var started: [Int: Date] = [:]
    /// How each step ended, by index.
    var finished: [Int: StepResult] = [:]
    /// Steps whose start, and whose end, the observer was told.
    var reportedStart: Set<Int> = []
    var reportedFinish: Set<Int> = []
    /// Events read but not told yet, by their place in the agent's order; and the place of the next one to tell.
    var pending: [Int: (index: Int, isEnd: Bool)] = [:]
    var nextSequence = 1

    init(stepCount: Int) {
        self.stepCount = stepCount
    }

    /// Copies what the step logs and the service container logs gained into cibox's logs, reads the step files the
    /// agent wrote since the last call, and tells the observer in the order the agent's runner told them (a
    /// background step ends after the steps that ran beside it): an event waits until every event before it was
    /// read, unless `isFinal` (the job ended; a gap can only be a file the agent never wrote). A step's log is
    /// complete before its end is reported.
    mutating func report(_ job: FollowedJob, isFinal: Bool = false) async {
        ContainerLogCopy.copy(
            from: job.folder.logDirectory + "/" + ContainerLogCopy.folderName,
            to: job.request.logDirectory + "/" + ContainerLogCopy.folderName)
        for index in 0..<stepCount where !reportedFinish.contains(index) {
            StepLogCopy.copy(from: job.folder.log(step: index), to: job.request.logPath(step: index))
            if started[index] == nil,
                let start = AgentFiles.read(StepStart.self, from: job.folder.startedFile(step: index))
            {
                started[index] = start.at
                pending[start.sequence] = (index, false)
            }
            if finished[index] == nil, let end = AgentFiles.read(StepEnd.self, from: job.folder.resultFile(step: index))
            {
                finished[index] = end.result
                pending[end.sequence] = (index, true)
            }
        }
        while let sequence = isFinal ? pending.keys.min() : (pending[nextSequence] == nil ? nil : nextSequence),
            let event = pending.removeValue(forKey: sequence)
        {
            nextSequence = sequence + 1
            let jobID = job.request.jobID
            if !event.isEnd, let start = started[event.index], reportedStart.insert(event.index).inserted {
                await job.observer.stepStarted(jobID: jobID, index: event.index, at: start)
            } else if event.isEnd, let result = finished[event.index], reportedFinish.insert(event.index).inserted {
                StepLogCopy.copy(from: job.folder.log(step: event.index), to: job.request.logPath(step: event.index))
                await job.observer.stepFinished(jobID: jobID, index: event.index, result: result)
            }
        }
    }
}

/// Copies what a step log on the shared folder gained into cibox's own log of the step, byte for byte.
///
/// cibox's log is the offset: it holds exactly what was copied, so a cibox that restarted goes on where the one
/// before it stopped.
enum StepLogCopy {
    /// Appends the bytes of `source` beyond the size of `destination` to `destination`.
    static func copy(from source: String, to destination: String) {
        var sourceInfo = stat()
        guard stat(source, &sourceInfo) == 0 else { return }
        var destinationInfo = stat()
        let copied = stat(destination, &destinationInfo) == 0 ? Int64(destinationInfo.st_size) : 0
        guard Int64(sourceInfo.st_size) > copied else { return }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { return }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var offset = off_t(copied)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, offset) }
            if count <= 0 { return }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { bytes in
                    bytes.baseAddress.map { write(output, $0 + written, count - written) } ?? -1
                }
                if result <= 0 { return }
                written += result
            }
            offset += off_t(count)
        }
    }
}

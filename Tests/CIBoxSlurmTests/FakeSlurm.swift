// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxSlurm
import Foundation
import Synchronization

/// Writes one file instead of a real checkout.
struct MarkerCheckout: SourceCheckout {
    func checkout(into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("checked out\n".utf8).write(to: URL(fileURLWithPath: directory + "/README"))
        return "checked out into the job's folder"
    }
}

/// A Slurm that runs each submitted script's job run with the agent in this process, for executor tests without a
/// cluster: RUNNING until the agent returns, then COMPLETED (CANCELLED after a cancel).
final class FakeSlurm: SlurmClient {
    private struct Job {
        var task: Task<JobResult, Never>
        var canceled = false
    }
    private let jobs = Mutex<[String: Job]>([:])
    private let finished = Mutex<Set<String>>([])
    private let counters = Mutex<(submits: Int, fetches: Int, cancels: Int)>((0, 0, 0))
    /// When set, sbatch fails with this message.
    let submitFailure: String?
    /// When false, submitted jobs stay PENDING and never run (for cancel-while-queued).
    let runsJobs: Bool

    init(submitFailure: String? = nil, runsJobs: Bool = true) {
        self.submitFailure = submitFailure
        self.runsJobs = runsJobs
    }

    /// How often each command ran.
    var submits: Int { counters.withLock { $0.submits } }
    var fetches: Int { counters.withLock { $0.fetches } }
    var cancels: Int { counters.withLock { $0.cancels } }

    func submit(scriptPath: String, arguments: [String]) async throws(SlurmError) -> String {
        if let submitFailure { throw SlurmError(.submit, submitFailure) }
        let id = String(
            counters.withLock { counters in
                counters.submits += 1
                return 100 + counters.submits
            })
        let folder = SlurmJobFolder(path: (scriptPath as NSString).deletingLastPathComponent)
        let runs = runsJobs
        let task = Task { [self] in
            defer { finished.withLock { _ = $0.insert(id) } }
            guard runs else {
                try? await Task.sleep(for: .seconds(3600))
                return JobResult(status: .canceled, startedAt: Date(), finishedAt: Date(), steps: [])
            }
            return await SlurmAgent.run(
                folder: folder, makeSource: { _ in MarkerCheckout() }, environment: ProcessInfo.processInfo.environment,
                enclosing: nil)
        }
        jobs.withLock { $0[id] = Job(task: task) }
        return id
    }

    func states(of ids: [String]) async throws(SlurmError) -> [String: SlurmJobState] {
        counters.withLock { $0.fetches += 1 }
        var states: [String: SlurmJobState] = [:]
        for id in ids {
            guard let job = jobs.withLock({ $0[id] }) else { continue }
            if job.canceled {
                _ = await job.task.value
                states[id] = SlurmJobState("CANCELLED")
            } else if finished.withLock({ $0.contains(id) }) {
                states[id] = SlurmJobState("COMPLETED")
            } else {
                states[id] = SlurmJobState(runsJobs ? "RUNNING" : "PENDING")
            }
        }
        return states
    }

    func cancel(_ id: String) async throws(SlurmError) {
        counters.withLock { $0.cancels += 1 }
        jobs.withLock { jobs in
            jobs[id]?.canceled = true
            jobs[id]?.task.cancel()
        }
    }

    func jobIDs(named names: [String]) async throws(SlurmError) -> [String: [String]] { [:] }

    /// Waits for job `id`'s agent to return.
    func wait(_ id: String) async -> JobResult? {
        guard let task = jobs.withLock({ $0[id]?.task }) else { return nil }
        return await task.value
    }
}

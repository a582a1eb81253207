// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
import Synchronization

/// Runs job runs on this machine's own cores, each in a fresh cgroup with its slot's limits when cgroups can
/// be used, else in process groups (said once through `warn`), and in the sandbox its provider gives it.
package struct LocalExecutor: Executor {
    /// The cgroups of this process, or nil to run without (tests, or when turned off).
    package let cgroups: CgroupManager?
    /// The cgroup something else made for the job (a Slurm job's), watched for usage and out-of-memory kills.
    package let enclosing: EnclosingCgroup?
    /// Gives each job run its sandbox.
    package let sandboxes: any SandboxProvider
    /// The clocks job runs measure time with.
    package let clocks: Clocks
    /// Gives jobs a Docker engine (`setup_remote_docker`); nil: none.
    package let engines: (any DockerEngineProvider)?
    private let warning: WarningOnce

    /// Makes a local executor and makes cibox the subreaper of its jobs' orphans.
    /// - Parameters:
    ///   - cgroups: where job cgroups are made; nil runs jobs without cgroups.
    ///   - enclosing: with no `cgroups`, the cgroup that already holds cibox and its jobs (on a Slurm node).
    ///   - sandboxes: gives each job run its sandbox (this machine's shell by default).
    ///   - clocks: monotonic for timeouts and time limits, wall for timestamps.
    ///   - warn: told once why cgroups could not be used, if they could not.
    package init(
        cgroups: CgroupManager? = nil, enclosing: EnclosingCgroup? = nil,
        sandboxes: any SandboxProvider = HostSandboxProvider(), clocks: Clocks = .system,
        engines: (any DockerEngineProvider)? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.engines = engines
        ProcessSpawner.becomeSubreaper()
        self.cgroups = cgroups
        self.enclosing = enclosing
        self.sandboxes = sandboxes
        self.clocks = clocks
        self.warning = WarningOnce(warn)
    }

    /// The isolation job runs get here.
    package var isolationMode: IsolationMode { cgroups?.mode ?? enclosing?.mode ?? .none }

    /// Keeps cgroup migrations warm for the next half second, through which the first job usually starts.
    package func expectJobs() {
        cgroups?.warmer?.begin(limit: .milliseconds(500))
    }

    /// Runs `request` here; see ``Executor``.
    package func run(_ request: JobRunRequest, observer: any JobObserver) async -> JobResult {
        let startedAt = clocks.wall()
        if let failure = request.preflightFailure {
            return await JobResult.notStarted(
                request, observer: observer, message: failure, startedAt: startedAt, now: clocks.wall)
        }
        let warning = self.warning
        let isolation = JobIsolation(
            jobID: request.jobID, stateDirectory: request.agentStateDirectory, limits: request.limits,
            manager: cgroups, enclosing: enclosing
        ) { warning.say($0) }
        let sandbox: any JobSandbox
        do {
            sandbox = try await sandboxes.makeSandbox(for: request, isolation: isolation)
        } catch {
            _ = isolation.end()
            return await JobResult.notStarted(
                request, observer: observer, message: error.message, startedAt: startedAt, now: clocks.wall)
        }
        return await JobRunner(
            request: request, observer: observer, sandbox: sandbox, clocks: clocks, engines: engines
        ).run()
    }
}

/// Passes on only the first message.
final class WarningOnce: Sendable {
    private let said = Mutex(false)
    private let sink: @Sendable (String) -> Void

    init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Passes `message` on if nothing was said before.
    func say(_ message: String) {
        let first = said.withLock { already in
            defer { already = true }
            return !already
        }
        if first { sink(message) }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How one job run is contained: its cgroup when there is one, else the process groups of its steps.
/// Either way ``end()`` leaves no process of the job alive.
package final class JobIsolation: Sendable {
    /// The job run's cgroup, or nil in fallback mode.
    let group: JobCgroup?
    /// The cgroup that already holds cibox (a Slurm job's), watched for usage and out-of-memory kills; never
    /// killed as a whole or removed, since cibox itself is in it.
    let enclosing: EnclosingCgroup?
    /// The limits the job runs under.
    package let limits: ResourceLimits?
    /// The pid (= process group) of every step process started, for fallback kills.
    private let started = Mutex<[Int32]>([])
    /// wait4 figures of the step processes (fallback accounting).
    private let waited = Mutex<ResourceUsage>(ResourceUsage())
    /// Keeps cgroup migrations warm until the first step process is placed (see ``MigrationWarmer``).
    private let warmer: (warmer: MigrationWarmer, hold: Int)?

    /// The isolation mode.
    package var mode: IsolationMode { group?.mode ?? enclosing?.mode ?? .none }

    /// Makes the isolation of job run `jobID`: a fresh cgroup when `manager` can make one, else fallback.
    /// - Parameters:
    ///   - enclosing: the cgroup something else made for the whole job (Slurm), watched but left alone.
    ///   - warn: told once per process why cgroups could not be used.
    package init(
        jobID: Int64, stateDirectory: String, limits: ResourceLimits?, manager: CgroupManager?,
        enclosing: EnclosingCgroup? = nil, warn: @Sendable (String) -> Void
    ) {
        self.limits = limits
        self.enclosing = enclosing
        guard let manager, let limits, manager.mode != .none else {
            if let manager, case .unavailable(let reason) = manager.layout {
                warn(
                    "cgroups are unavailable (\(reason)); jobs run in their own process groups without CPU or memory limits"
                )
            }
            group = nil
            warmer = nil
            return
        }
        warmer = manager.warmer.map { ($0, $0.begin()) }
        let name =
            CgroupManager.groupPrefix(stateDirectory: stateDirectory, jobID: jobID)
            + UUID().uuidString.prefix(8).lowercased()
        do {
            group = try manager.makeGroup(named: name, limits: limits)
        } catch {
            warn(
                "cannot make a cgroup for jobs (\(error.message)); jobs run in their own process groups without limits")
            group = nil
        }
    }

    /// The `cgroupsPath` of a container of this job, for an OCI runtime cibox starts (so the runtime's own cgroup is
    /// cibox's): with cgroup v1 relative (runc joins it to its own cgroup in each hierarchy, as cibox's job cgroups
    /// are), with v2 absolute; `child` names a cgroup inside the job's (a service container's). Without a cgroup of
    /// the job's, a relative path of the container's own (under the Slurm job's cgroup, or cibox's).
    package func runtimeCgroupsPath(container: String, child: String? = nil) -> String {
        let suffix = child.map { "/" + $0 } ?? ""
        guard let group, let directory = group.directories.first else { return "cibox-containers/" + container }
        switch group.mode {
        case .cgroup2:
            let mount = "/sys/fs/cgroup"
            return directory.hasPrefix(mount + "/")
                ? String(directory.dropFirst(mount.count)) + suffix : directory + suffix
        case .cgroup1, .none, .slurm:
            return "cibox/" + Paths.lastComponent(directory) + suffix
        }
    }

    /// The `cgroup.procs` files a step process joins before exec.
    package var procsFiles: [String] { group?.procsFiles ?? [] }

    /// What the job agent's guard kills when cibox goes away (the job's own cgroup only: an enclosing one holds
    /// cibox itself, and its owner cleans it up).
    var agentGuard: AgentSetup.Guard { group?.agentGuard ?? .none }

    /// Starts a helper process of cibox's own beside the job: as cibox's user, in the job's cgroup (so the job's
    /// limits, accounting and ``killAll()`` cover it and all it starts), in a session of its own, outside the job's
    /// sandbox. Used for the job's Docker engine. cibox waits for it itself (``ChildProcesses``).
    /// - Parameters:
    ///   - arguments: the program's absolute path, then its arguments.
    ///   - output: where its standard output and error go.
    /// - Returns: its pid.
    /// - Throws: ``ExecutorError`` `spawnFailed` when it cannot start.
    package func spawnBeside(_ arguments: [String], environment: [String: String], output: Int32)
        throws(ExecutorError) -> Int32
    {
        guard let program = arguments.first else { throw ExecutorError(.spawnFailed, "No program to start.") }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        let procsFiles = self.procsFiles
        let pid = try ChildProcesses.spawnMonitored { () throws(ExecutorError) -> Int32 in
            try ProcessSpawner.spawn(
                SpawnRequest(
                    executable: program, arguments: Array(arguments.dropFirst()), environment: environment,
                    directory: "/", stdin: devNull, stdout: output, stderr: output, fileMask: 0o022,
                    cgroupProcsFiles: procsFiles))
        }
        started.withLock { $0.append(pid) }
        return pid
    }

    /// Records a started step process.
    package func didStart(_ pid: Int32) {
        started.withLock { $0.append(pid) }
        if let warmer { warmer.warmer.end(warmer.hold, migrated: group != nil) }
    }

    /// Adds a finished step process's wait4 figures.
    package func didFinish(cpuSeconds: Double, peakMemoryBytes: Int64) {
        waited.withLock { usage in
            usage.cpuSeconds += cpuSeconds
            usage.peakMemoryBytes = max(usage.peakMemoryBytes ?? 0, peakMemoryBytes)
        }
    }

    /// Kills everything the job started (used when a stop's grace period is over).
    package func killAll() {
        if let group {
            group.killAll()
        } else {
            for pid in started.withLock({ $0 }) { kill(-pid, SIGKILL) }
        }
    }

    /// Out-of-memory kills and forks refused at the pids limit so far (cgroup mode only; zeros otherwise).
    package var events: (oomKills: Int, pidsLimitHits: Int) {
        let usage = (group ?? enclosing?.group)?.usage() ?? ResourceUsage()
        return (usage.oomKills, usage.pidsLimitHits)
    }

    /// Ends the job run: kills what is left (background steps, orphans), reads the usage, removes the cgroup.
    package func end() -> ResourceUsage {
        if let warmer { warmer.warmer.end(warmer.hold) }
        killAll()
        var usage = waited.withLock { $0 }
        if let enclosing {
            enclosing.killOthers()
            let measured = enclosing.group.usage()
            usage = ResourceUsage(
                cpuSeconds: measured.cpuSeconds, peakMemoryBytes: measured.peakMemoryBytes ?? usage.peakMemoryBytes,
                oomKills: measured.oomKills, pidsLimitHits: measured.pidsLimitHits
            )
        }
        if let group {
            let measured = group.usage()
            usage = ResourceUsage(
                cpuSeconds: measured.cpuSeconds, peakMemoryBytes: measured.peakMemoryBytes ?? usage.peakMemoryBytes,
                oomKills: measured.oomKills, pidsLimitHits: measured.pidsLimitHits
            )
            group.remove()
        }
        ChildProcesses.reapOrphans()
        return usage
    }
}

/// A cgroup made by something else for the whole job, cibox included (Slurm's task/cgroup on a cluster node).
package struct EnclosingCgroup: Sendable {
    /// Its folders, read for usage and out-of-memory kills.
    let group: JobCgroup
    /// What job results call this isolation.
    package let mode: IsolationMode

    /// Kills every process in the group except cibox itself and its parent (orphans the steps left behind).
    func killOthers() {
        let own: Set<Int32> = [getpid(), getppid()]
        for _ in 0..<50 {
            let others = group.pids().filter { !own.contains($0) }
            if others.isEmpty { return }
            for pid in others { kill(pid, SIGKILL) }
            usleep(10_000)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Makes one fresh cgroup per job run under cibox's own cgroup (`<own>/cibox/<name>` in each v1 hierarchy,
/// `<own>/cibox-jobs/<name>` in v2), with the run's CPU, memory (no swap) and pids limits.
///
/// Concurrency: safe from any task. Errors: ``CgroupError`` naming the file and the reason.
package final class CgroupManager: Sendable {
    /// The layout found at start.
    package let layout: CgroupLayout
    let fileSystem: any CgroupFileSystem
    /// The v2 parent of job cgroups once prepared, or why it cannot be.
    private let v2Parent = Mutex<Result<String, CgroupError>?>(nil)

    /// Keeps the first migration of a job's process fast (see ``MigrationWarmer``); nil when not used.
    package let warmer: MigrationWarmer?

    /// Makes a manager for `layout` over `fileSystem`, with `warmer` if any.
    package init(layout: CgroupLayout, fileSystem: any CgroupFileSystem, warmer: MigrationWarmer? = nil) {
        self.layout = layout
        self.fileSystem = fileSystem
        self.warmer = warmer
    }

    /// The manager for this process, from `/proc/self`.
    package static func system() -> CgroupManager {
        let fileSystem = SystemCgroupFileSystem()
        let layout = CgroupLayout.detect(
            procCgroup: (try? fileSystem.read("/proc/self/cgroup")) ?? "",
            mountInfo: (try? fileSystem.read("/proc/self/mountinfo")) ?? "",
            fileSystem: fileSystem
        )
        // v1 only: that is where the first migration's wait was measured; a v2 host could place a job's
        // process with clone3(CLONE_INTO_CGROUP) instead.
        var warmer: MigrationWarmer?
        if case .v1(let directories) = layout, let own = directories["pids"] ?? directories.values.first {
            warmer = MigrationWarmer(procsFile: own + "/cgroup.procs")
        }
        return CgroupManager(layout: layout, fileSystem: fileSystem, warmer: warmer)
    }

    /// cibox's own cgroup, to watch when something else made it for the job cibox runs (a Slurm job); nil when
    /// there are no cgroups.
    /// - Parameter mode: what job results call this isolation.
    package func enclosingGroup(as mode: IsolationMode) -> EnclosingCgroup? {
        switch layout {
        case .unavailable:
            return nil
        case .v2(let directory, _):
            let group = JobCgroup(
                mode: .cgroup2, directories: [directory], fileSystem: fileSystem, memoryDirectory: nil,
                cpuDirectory: nil, freezerDirectory: nil)
            return EnclosingCgroup(group: group, mode: mode)
        case .v1(let directories):
            let watched = ["memory", "cpuacct"].compactMap { directories[$0] }
            guard !watched.isEmpty else { return nil }
            let group = JobCgroup(
                mode: .cgroup1, directories: watched, fileSystem: fileSystem, memoryDirectory: directories["memory"],
                cpuDirectory: directories["cpuacct"], freezerDirectory: nil)
            return EnclosingCgroup(group: group, mode: mode)
        }
    }

    /// The isolation job runs get.
    package var mode: IsolationMode {
        switch layout {
        case .v2: .cgroup2
        case .v1: .cgroup1
        case .unavailable: .none
        }
    }

    /// Makes the cgroup of a job run named `name` (unique per run) with `limits`.
    /// - Throws: ``CgroupError`` when the cgroup cannot be made or limited (the caller falls back and says so).
    package func makeGroup(named name: String, limits: ResourceLimits) throws(CgroupError) -> JobCgroup {
        switch layout {
        case .unavailable(let reason):
            throw CgroupError("cgroups are unavailable: \(reason)")
        case .v1(let directories):
            return try makeV1Group(named: name, limits: limits, own: directories)
        case .v2:
            let parent = try preparedV2Parent()
            return try makeV2Group(at: parent + "/" + name, limits: limits)
        }
    }

    private func makeV1Group(named name: String, limits: ResourceLimits, own: [String: String]) throws(CgroupError)
        -> JobCgroup
    {
        var made: [String: String] = [:]
        for (controller, directory) in own.sorted(by: { $0.key < $1.key }) {
            let parent = directory + "/cibox"
            try fileSystem.makeDirectory(parent)
            if controller == "cpuset" { continue }
            let path = parent + "/" + name
            try fileSystem.makeDirectory(path)
            made[controller] = path
        }
        let group = JobCgroup(
            mode: .cgroup1, directories: made.keys.sorted().compactMap { made[$0] }, fileSystem: fileSystem,
            memoryDirectory: made["memory"], cpuDirectory: made["cpuacct"], freezerDirectory: made["freezer"]
        )
        do {
            if let memory = made["memory"] {
                try fileSystem.write(String(limits.memoryBytes), to: memory + "/memory.limit_in_bytes")
                if fileSystem.exists(memory + "/memory.memsw.limit_in_bytes") {
                    try fileSystem.write(String(limits.memoryBytes), to: memory + "/memory.memsw.limit_in_bytes")
                } else {
                    try? fileSystem.write("0", to: memory + "/memory.swappiness")
                }
            }
            if let pids = made["pids"] { try fileSystem.write(String(limits.pids), to: pids + "/pids.max") }
            if let cpu = made["cpu"] {
                try fileSystem.write("100000", to: cpu + "/cpu.cfs_period_us")
                try fileSystem.write(String(max(1000, limits.millicores * 100)), to: cpu + "/cpu.cfs_quota_us")
                try fileSystem.write(String(limits.cpuWeight * 1024 / 100), to: cpu + "/cpu.shares")
            }
        } catch {
            group.remove()
            throw error
        }
        return group
    }

    private func makeV2Group(at path: String, limits: ResourceLimits) throws(CgroupError) -> JobCgroup {
        try fileSystem.makeDirectory(path)
        let group = JobCgroup(
            mode: .cgroup2, directories: [path], fileSystem: fileSystem, memoryDirectory: nil, cpuDirectory: nil,
            freezerDirectory: nil
        )
        do {
            try fileSystem.write("\(max(1000, limits.millicores * 100)) 100000", to: path + "/cpu.max")
            try fileSystem.write(String(min(10000, max(1, limits.cpuWeight))), to: path + "/cpu.weight")
            try fileSystem.write(String(limits.memoryBytes), to: path + "/memory.max")
            if fileSystem.exists(path + "/memory.swap.max") { try fileSystem.write("0", to: path + "/memory.swap.max") }
            try fileSystem.write(String(limits.pids), to: path + "/pids.max")
        } catch {
            group.remove()
            throw error
        }
        return group
    }

    /// Prepares `<own>/cibox-jobs` once: controllers enabled down to it. v2 forbids processes in a cgroup
    /// that hands controllers to children, so when cibox's own cgroup holds only cibox, cibox moves itself
    /// into `<own>/cibox-supervisor` first.
    private func preparedV2Parent() throws(CgroupError) -> String {
        guard case .v2(let own, _) = layout else { throw CgroupError("not a cgroup v2 layout") }
        let result = v2Parent.withLock { cached -> Result<String, CgroupError> in
            if let cached { return cached }
            let made = Result { () throws(CgroupError) -> String in try prepareV2(own: own) }
            cached = made
            return made
        }
        return try result.get()
    }

    private func prepareV2(own: String) throws(CgroupError) -> String {
        let controls = "+cpu +memory +pids"
        if (try? fileSystem.write(controls, to: own + "/cgroup.subtree_control")) == nil {
            let members = (try? fileSystem.read(own + "/cgroup.procs"))?.split(whereSeparator: \.isNewline) ?? []
            guard members.count <= 1 else {
                throw CgroupError(
                    "cgroup v2: '\(own)' holds other processes, so cibox cannot give controllers to job cgroups under it. "
                        + "Run cibox as a systemd service with Delegate=yes, or under `systemd-run --scope -p Delegate=yes`."
                )
            }
            let supervisor = own + "/cibox-supervisor"
            try fileSystem.makeDirectory(supervisor)
            try fileSystem.write(String(getpid()), to: supervisor + "/cgroup.procs")
            try fileSystem.write(controls, to: own + "/cgroup.subtree_control")
        }
        let parent = own + "/cibox-jobs"
        try fileSystem.makeDirectory(parent)
        try fileSystem.write(controls, to: parent + "/cgroup.subtree_control")
        return parent
    }

    /// The start of the cgroup names of job run `jobID` of the state folder `stateDirectory`: job ids are
    /// only unique within one state folder, and several cibox homes may share the machine's cgroups.
    package static func groupPrefix(stateDirectory: String, jobID: Int64) -> String {
        "job-\(StableHash.hex(of: stateDirectory).prefix(8))-\(jobID)-"
    }

    /// The cgroups left by job runs `jobIDs` of an earlier cibox process (a crash, `kill -9`), so that their
    /// processes can be killed and the cgroups removed.
    package func leftoverGroups(stateDirectory: String, jobIDs: [Int64]) -> [JobCgroup] {
        let prefixes = jobIDs.map { Self.groupPrefix(stateDirectory: stateDirectory, jobID: $0) }
        var byName: [String: [String: String]] = [:]
        switch layout {
        case .unavailable:
            return []
        case .v2(let own, _):
            for name in fileSystem.subdirectories(own + "/cibox-jobs") where prefixes.contains(where: name.hasPrefix) {
                byName[name] = ["": own + "/cibox-jobs/" + name]
            }
            return byName.values.compactMap { $0[""] }.map {
                JobCgroup(
                    mode: .cgroup2, directories: [$0], fileSystem: fileSystem, memoryDirectory: nil, cpuDirectory: nil,
                    freezerDirectory: nil)
            }
        case .v1(let directories):
            for (controller, directory) in directories where controller != "cpuset" {
                for name in fileSystem.subdirectories(directory + "/cibox")
                where prefixes.contains(where: name.hasPrefix) {
                    byName[name, default: [:]][controller] = directory + "/cibox/" + name
                }
            }
            return byName.values.map { made in
                JobCgroup(
                    mode: .cgroup1, directories: made.keys.sorted().compactMap { made[$0] }, fileSystem: fileSystem,
                    memoryDirectory: made["memory"], cpuDirectory: made["cpuacct"], freezerDirectory: made["freezer"]
                )
            }
        }
    }
}

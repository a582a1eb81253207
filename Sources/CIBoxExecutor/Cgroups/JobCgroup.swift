// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The cgroup(s) of one job run: every process of the job joins it before exec, its limits hold the whole
/// tree, and ``killAll()`` leaves nothing behind (setsid and double-forked children included).
///
/// One value per job run; a cgroup is never reused (after `cgroup.kill` the kernel refuses new members).
package struct JobCgroup: Sendable {
    /// The isolation this group gives.
    package let mode: IsolationMode
    /// The cgroup folders, one per hierarchy (v1) or one (v2).
    package let directories: [String]
    /// The `cgroup.procs` files a new process writes its pid into.
    package var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }
    let fileSystem: any CgroupFileSystem
    /// v1: the memory, cpuacct and freezer folders (for accounting and kill).
    let memoryDirectory: String?
    let cpuDirectory: String?
    let freezerDirectory: String?

    /// What a job agent's guard does with this group when cibox goes away: v2 `cgroup.kill`, v1 freeze and kill
    /// every member.
    var agentGuard: AgentSetup.Guard {
        switch mode {
        case .cgroup2: .cgroupKill(directories.map { $0 + "/cgroup.kill" })
        case .cgroup1: .cgroupProcs(freezerState: freezerDirectory.map { $0 + "/freezer.state" }, procs: procsFiles)
        case .none, .slurm: .none
        }
    }

    /// The pids in the group now.
    package func pids() -> [Int32] {
        guard let first = directories.first else { return [] }
        return Self.pids(under: first, fileSystem: fileSystem, depth: 4)
    }

    /// The pids of the cgroup at `directory` and of the cgroups inside it (a job's service containers have their own).
    private static func pids(under directory: String, fileSystem: any CgroupFileSystem, depth: Int) -> [Int32] {
        guard let text = try? fileSystem.read(directory + "/cgroup.procs") else { return [] }
        var found = text.split(whereSeparator: \.isNewline).compactMap { Int32(String($0)) }
        guard depth > 0 else { return found }
        for child in fileSystem.subdirectories(directory) {
            found += pids(under: directory + "/" + child, fileSystem: fileSystem, depth: depth - 1)
        }
        return found
    }

    /// Kills every process in the group and waits (up to about 2 s) until it is empty.
    ///
    /// v2: `cgroup.kill`. v1: freeze the group so nothing can fork, SIGKILL every member, thaw, repeat.
    package func killAll() {
        for _ in 0..<200 {
            let members = pids()
            if members.isEmpty { return }
            if mode == .cgroup2, let directory = directories.first,
                (try? fileSystem.write("1", to: directory + "/cgroup.kill")) != nil
            {
                usleep(10_000)
                continue
            }
            freeze(true)
            for pid in pids() { kill(pid, SIGKILL) }
            freeze(false)
            usleep(10_000)
        }
    }

    private func freeze(_ frozen: Bool) {
        guard let freezerDirectory else { return }
        let state = freezerDirectory + "/freezer.state"
        try? fileSystem.write(frozen ? "FROZEN" : "THAWED", to: state)
        guard frozen else { return }
        for _ in 0..<100 {
            let current = (try? fileSystem.read(state))?.trimmingCharacters(in: .whitespacesAndNewlines)
            if current == "FROZEN" { return }
            usleep(1_000)
        }
    }

    /// What the group used so far.
    package func usage() -> ResourceUsage {
        switch mode {
        case .cgroup2:
            guard let directory = directories.first else { return ResourceUsage() }
            let cpu = Self.field("usage_usec", in: try? fileSystem.read(directory + "/cpu.stat")).map {
                Double($0) / 1e6
            }
            let peak = (try? fileSystem.read(directory + "/memory.peak")).flatMap { Int64($0.trimmed) }
            let ooms = Self.field("oom_kill", in: try? fileSystem.read(directory + "/memory.events")) ?? 0
            return ResourceUsage(
                cpuSeconds: cpu ?? 0, peakMemoryBytes: peak, oomKills: Int(ooms), pidsLimitHits: pidsLimitHits())
        case .cgroup1:
            let cpu = cpuDirectory.flatMap { try? fileSystem.read($0 + "/cpuacct.usage") }.flatMap { Int64($0.trimmed) }
            let peak = memoryDirectory.flatMap { try? fileSystem.read($0 + "/memory.max_usage_in_bytes") }
                .flatMap { Int64($0.trimmed) }
            let ooms = Self.field(
                "oom_kill", in: memoryDirectory.flatMap { try? fileSystem.read($0 + "/memory.oom_control") })
            return ResourceUsage(
                cpuSeconds: Double(cpu ?? 0) / 1e9, peakMemoryBytes: peak, oomKills: Int(ooms ?? 0),
                pidsLimitHits: pidsLimitHits())
        case .none, .slurm:
            return ResourceUsage()
        }
    }

    /// How many times a fork failed at the group's pids limit (`max` of `pids.events`, in v2 and in v1's pids
    /// hierarchy).
    private func pidsLimitHits() -> Int {
        let directory = mode == .cgroup2 ? directories.first : directories.first { $0.contains("/pids/") }
        return Int(Self.field("max", in: directory.flatMap { try? fileSystem.read($0 + "/pids.events") }) ?? 0)
    }

    /// Removes the (empty) group's folders, and the groups made under them (a job's Docker engine leaves its
    /// containers' empty ones), deepest first; killing first is the caller's job.
    package func remove() {
        for directory in directories { removeTree(directory) }
    }

    private func removeTree(_ directory: String) {
        for child in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            var info = stat()
            let path = directory + "/" + child
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { removeTree(path) }
        }
        for _ in 0..<50 {
            if (try? fileSystem.removeDirectory(directory)) != nil { break }
            usleep(10_000)
        }
    }

    /// The number after `name` in a `key value` per line file such as `memory.events`.
    static func field(_ name: String, in text: String?) -> Int64? {
        guard let text else { return nil }
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return Int64(parts[1]) }
        }
        return nil
    }
}

extension String {
    /// The text without surrounding white space.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

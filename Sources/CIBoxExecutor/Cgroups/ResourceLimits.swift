// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// The limits of one job run: its slot, enforced by cgroups.
package struct ResourceLimits: Codable, Sendable, Equatable {
    /// CPU in thousandths of a core (2000 = 2 CPUs).
    package var millicores: Int
    /// Memory in bytes (swap is not allowed on top).
    package var memoryBytes: Int64
    /// At most this many processes and threads.
    package var pids: Int
    /// The share of CPU when jobs compete for it, relative to 100 (cgroup v2 `cpu.weight`; v1 `cpu.shares`
    /// is 10.24 times it): the pre-push gate's jobs get more, so a developer waiting on a push goes first even
    /// against jobs of another cibox process (a daemon on the same machine).
    package var cpuWeight: Int

    /// Makes limits.
    package init(millicores: Int, memoryBytes: Int64, pids: Int = 4096, cpuWeight: Int = 100) {
        self.millicores = millicores
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.cpuWeight = cpuWeight
    }

    /// Decodes limits; `cpuWeight` is 100 when absent (limits written before it existed).
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        millicores = try container.decode(Int.self, forKey: .millicores)
        memoryBytes = try container.decode(Int64.self, forKey: .memoryBytes)
        pids = try container.decode(Int.self, forKey: .pids)
        cpuWeight = try container.decodeIfPresent(Int.self, forKey: .cpuWeight) ?? 100
    }

    /// The CPU weight of jobs of a pipeline made by `trigger`: four times the default for the pre-push gate,
    /// twice for a person's `cibox run`, `cibox rerun` or `cibox trigger`, the default for pushes the daemon saw.
    package static func cpuWeight(for trigger: TriggerKind) -> Int {
        switch trigger {
        case .prePush: 400
        case .manual, .rerun, .api: 200
        case .push: 100
        }
    }
}

/// How a job run was isolated, as recorded per job and shown in `--json` (`isolation`).
package enum IsolationMode: String, Codable, Sendable {
    /// A cgroup v2 (unified) cgroup of its own.
    case cgroup2
    /// Cgroups of the v1 (or hybrid) hierarchies.
    case cgroup1
    /// No cgroups: a process group per step and rlimits.
    case none
    /// On a Slurm node, inside the cgroups Slurm made for the job (task/cgroup).
    case slurm
}

/// What a job run used, read from its cgroup (or from wait4 without one).
package struct ResourceUsage: Codable, Sendable, Equatable {
    /// User + system CPU time in seconds.
    package var cpuSeconds: Double
    /// The largest memory use seen, in bytes (nil when unknown).
    package var peakMemoryBytes: Int64?
    /// Processes the kernel killed for lack of memory.
    package var oomKills: Int
    /// Times a process could not be started because the job had as many as its pids limit allows.
    package var pidsLimitHits: Int

    /// Makes a usage value.
    package init(cpuSeconds: Double = 0, peakMemoryBytes: Int64? = nil, oomKills: Int = 0, pidsLimitHits: Int = 0) {
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.oomKills = oomKills
        self.pidsLimitHits = pidsLimitHits
    }
}

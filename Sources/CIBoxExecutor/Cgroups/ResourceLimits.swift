// cibox — CI in a box. MIT licence, see LICENSE.

/// The limits of one job run: its slot, enforced by cgroups.
package struct ResourceLimits: Codable, Sendable, Equatable {
    /// CPU in thousandths of a core (2000 = 2 CPUs).
    package var millicores: Int
    /// Memory in bytes (swap is not allowed on top).
    package var memoryBytes: Int64
    /// At most this many processes and threads.
    package var pids: Int

    /// Makes limits.
    package init(millicores: Int, memoryBytes: Int64, pids: Int = 4096) {
        self.millicores = millicores
        self.memoryBytes = memoryBytes
        self.pids = pids
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

    /// Makes a usage value.
    package init(cpuSeconds: Double = 0, peakMemoryBytes: Int64? = nil, oomKills: Int = 0) {
        self.cpuSeconds = cpuSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.oomKills = oomKills
    }
}

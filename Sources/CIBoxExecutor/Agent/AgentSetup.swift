// cibox — CI in a box. MIT licence, see LICENSE.

/// What a job agent makes before the job's first process: its mount namespace, and what its guard kills.
package struct AgentSetup: Sendable {
    /// A folder of the job's bound at a path of its view.
    package struct Bind: Sendable, Equatable {
        /// The folder on this machine.
        package var source: String
        /// Where the job sees it.
        package var target: String
        /// Whether the job may only read it.
        package var readOnly = false

        /// Makes a bind.
        package init(source: String, target: String, readOnly: Bool = false) {
            self.source = source
            self.target = target
            self.readOnly = readOnly
        }
    }

    /// What the guard does when cibox goes away without ending the job.
    package enum Guard: Sendable, Equatable {
        /// Nothing more than killing the processes the agent started (no cgroup).
        case none
        /// cgroup v2: write 1 to each `cgroup.kill`.
        case cgroupKill([String])
        /// cgroup v1: freeze, SIGKILL every pid of each `cgroup.procs`, thaw, until they are empty.
        case cgroupProcs(freezerState: String?, procs: [String])
    }

    /// Whether the job gets a mount namespace of its own (the binds and the private /tmp need one).
    package var newMountNamespace = false
    /// The folder that is the job's `/tmp`, when it has a private one.
    package var tmpSource: String?
    /// An empty folder of the job's the agent may mount over while it makes missing mount points.
    package var scratch = ""
    /// The binds, in order.
    package var binds: [Bind] = []
    /// The `cgroup.procs` files every process the agent starts joins before exec.
    package var procsFiles: [String] = []
    /// Folders that stay visible at their path when they are under `/tmp` (the job's own, cibox's programs).
    package var keep: [String] = []
    /// The guard.
    package var guardMode = Guard.none

    /// An empty setup: no mount namespace, no cgroups to join, no guard (a container's agent: its runtime made all).
    package init() {}

    /// The `SETUP` payload.
    package var payload: [UInt8] {
        var payload = AgentPayload()
        var flags: Int64 = newMountNamespace ? AgentMessage.newMountNamespace : 0
        if tmpSource != nil { flags |= AgentMessage.privateTmp }
        payload.int(flags)
        payload.string(tmpSource ?? "")
        payload.string(scratch)
        payload.count(binds.count)
        for bind in binds {
            payload.string(bind.source)
            payload.string(bind.target)
            payload.int(bind.readOnly ? AgentMessage.readOnly : 0)
        }
        payload.strings(procsFiles)
        payload.strings(keep)
        switch guardMode {
        case .none:
            payload.int(0)
            payload.strings([])
        case .cgroupKill(let files):
            payload.int(1)
            payload.strings(files)
        case .cgroupProcs(let freezer, let procs):
            payload.int(2)
            payload.strings([freezer ?? ""] + procs)
        }
        return payload.bytes
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Where a job run runs: this machine's cores, or a Slurm cluster.
package enum ExecutorKind: String, Codable, Sendable, CaseIterable {
    /// This machine, in a cgroup of its own (the default).
    case local
    /// One `sbatch` job per job run on a Slurm cluster.
    case slurm
}

/// `executors.slurm` in settings: how job runs are handed to a Slurm cluster.
package struct SlurmSettings: Sendable, Equatable {
    /// A folder every node sees at the same path: job folders, step logs and results, caches, workspaces and
    /// artifacts live there. Absolute.
    package var sharedDirectory: String
    /// `--partition`, if set.
    package var partition: String?
    /// `--account`, if set.
    package var account: String?
    /// More `sbatch` arguments, given after cibox's own (so they win): `--qos=ci`, `--constraint=avx2`, ….
    package var sbatchArguments: [String] = []
    /// The `cibox` binary as the nodes see it; nil: the binary that submits.
    package var ciboxPath: String?
    /// Seconds between looks at the cluster and the shared folder while a job runs.
    package var pollInterval: Double = 1

    /// Makes Slurm settings.
    package init(
        sharedDirectory: String, partition: String? = nil, account: String? = nil, sbatchArguments: [String] = [],
        ciboxPath: String? = nil, pollInterval: Double = 1
    ) {
        self.sharedDirectory = sharedDirectory
        self.partition = partition
        self.account = account
        self.sbatchArguments = sbatchArguments
        self.ciboxPath = ciboxPath
        self.pollInterval = pollInterval
    }
}

extension Settings {
    /// The executor of a job run asking for resource class `resourceClass` in project `project`: the resource
    /// class's `executor` when it names one, else the project's (`project_executor`), else `executor`.
    package func executor(resourceClass: String?, project: String) -> ExecutorKind {
        if let choice = resourceClasses[resourceClass ?? "medium"]?.executor { return choice }
        return projectExecutors[project] ?? defaultExecutor
    }

    /// Where caches, workspaces and artifacts live: the Slurm shared folder when Slurm is set up (so that jobs on
    /// the cluster and on this machine share them), else the state folder `home`.
    package func storageDirectory(home: String) -> String {
        slurm?.sharedDirectory ?? home
    }
}

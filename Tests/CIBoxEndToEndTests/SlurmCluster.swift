// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway one-node Slurm cluster for one test, started and stopped with `scripts/slurm-test-cluster.sh`.
struct SlurmCluster {
    /// The cluster's folder (config, state, logs) and a shared folder for cibox beside it.
    let root: TemporaryDirectory
    /// `SLURM_CONF`, for every process that talks to the cluster.
    var environment: [String: String] { ["SLURM_CONF": root.appending("cluster/slurm.conf")] }
    /// The folder every "node" sees (`executors.slurm.shared_directory`).
    var shared: String { root.appending("shared") }

    /// The programs the cluster needs.
    static let programs = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch"]

    /// Whether a cluster can be started here: Slurm's and munge's programs are installed and the tests run as root
    /// (slurmd makes the jobs' cgroups).
    static var isInstallable: Bool {
        getuid() == 0 && programs.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why the Slurm tests do not run, when they do not.
    static let skipReason: Comment =
        "Slurm is not installed or the tests do not run as root: apt-get install slurmctld slurmd slurm-client munge"

    /// The script that starts and stops clusters.
    static var script: String { CLI.packageRoot + "/scripts/slurm-test-cluster.sh" }

    /// Starts a cluster; cancels the test (with the script's reason) when it does not come up.
    static func start() async throws -> SlurmCluster {
        let cluster = SlurmCluster(root: try TemporaryDirectory(prefix: "cibox-slurm"))
        try FileManager.default.createDirectory(atPath: cluster.shared, withIntermediateDirectories: true)
        let output = try await ProcessRunner.run("/bin/bash", [script, "start", cluster.root.appending("cluster")])
        guard output.status == 0 else {
            await cluster.stop()
            try Test.cancel("the test cluster did not come up: \(output.stderr)")
        }
        return cluster
    }

    /// Starts a cluster, runs `body` with it, and stops it, also when `body` throws.
    /// - Throws: what `body` throws; cancels the test when the cluster does not come up (``start()``).
    static func withCluster<Result>(_ body: (SlurmCluster) async throws -> Result) async throws -> Result {
        let cluster = try await start()
        return try await withCleanup {
            try await body(cluster)
        } cleanup: {
            await cluster.stop()
        }
    }

    /// Stops the cluster (its jobs, its daemons by pid, its cgroups) and removes its folders.
    func stop() async {
        _ = try? await ProcessRunner.run("/bin/bash", [Self.script, "stop", root.appending("cluster")])
        root.remove()
    }

    /// Runs a Slurm client command against this cluster.
    func run(_ program: String, _ arguments: [String]) async throws -> ProcessOutput {
        try await ProcessRunner.run(program, arguments, environment: environment)
    }

    /// `settings.yml` that sends every job to this cluster (plus `extra` lines).
    func settings(_ extra: String = "") -> String {
        """
        executor: slurm
        executors:
          slurm:
            shared_directory: \(shared)
            poll_interval: 0.2s
        \(extra)
        """
    }

    /// The Slurm jobs cibox submitted for its job run `jobID` (one cibox home per test cluster).
    func jobs(forJobRun jobID: Int) async throws -> [(id: String, state: String)] {
        let output = try await run("/usr/bin/squeue", ["--noheader", "--states=all", "--format=%i %T %j"])
        return output.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 3, fields[2].hasPrefix("cibox-"), fields[2].hasSuffix("-\(jobID)") else { return nil }
            return (id: fields[0], state: fields[1])
        }
    }

    /// A CLI with a fresh home whose settings send every job here (plus `settings` lines), and this cluster's
    /// `SLURM_CONF`.
    func makeCLI(settings extra: String = "") throws -> CLI {
        var cli = try CLI()
        cli.environment = environment
        try cli.home.write(settings(extra), to: "settings.yml")
        return cli
    }
}

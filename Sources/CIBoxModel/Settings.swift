// cibox — CI in a box. MIT licence, see LICENSE.

/// A size of job slot: CPU, memory and a process limit.
package struct ResourceClass: Codable, Sendable, Equatable {
    /// The name (`medium`, `tiny`, …).
    package var name: String
    /// CPU in thousandths of a core.
    package var millicores: Int
    /// Memory in bytes.
    package var memoryBytes: Int64
    /// Processes and threads.
    package var pids: Int
    /// Where jobs of this class run (`executor:` in settings); nil: the project's or the default executor.
    package var executor: ExecutorKind?

    /// Makes a resource class.
    package init(name: String, millicores: Int, memoryBytes: Int64, pids: Int = 4096, executor: ExecutorKind? = nil) {
        self.name = name
        self.millicores = millicores
        self.memoryBytes = memoryBytes
        self.pids = pids
        self.executor = executor
    }
}

/// What the machine offers to jobs.
package struct Capacity: Codable, Sendable, Equatable {
    /// CPU in thousandths of a core.
    package var millicores: Int
    /// Memory in bytes.
    package var memoryBytes: Int64

    /// Makes a capacity.
    package init(millicores: Int, memoryBytes: Int64) {
        self.millicores = millicores
        self.memoryBytes = memoryBytes
    }
}

/// `$CIBOX_HOME/settings.yml`: what the machine gives jobs and how long they may run.
package struct Settings: Sendable, Equatable {
    /// The capacity jobs share; nil means the machine's cores and memory.
    package var capacity: Capacity?
    /// Resource classes defined in settings (they win over the built-in ones of the same name).
    package var resourceClasses: [String: ResourceClass]
    /// A job run's time limit in seconds.
    package var jobTimeLimit: Double
    /// The default `no_output_timeout` in seconds.
    package var noOutputTimeout: Double
    /// Whether cibox may use cgroups (false forces process groups).
    package var usesCgroups: Bool
    /// Named contexts: context name → variables. Jobs naming a context get its variables, masked in logs.
    package var contexts: [String: [String: String]] = [:]
    /// Project environment variables: project name → variables, given to every job of that project, masked.
    package var projectEnvironment: [String: [String: String]] = [:]
    /// `daemon:`: polling, grace period, requeueing.
    package var daemon = DaemonSettings()
    /// `auto_cancel:`: canceling queued redundant pipelines, per project.
    package var autoCancel = AutoCancelSettings()
    /// `gc:`: retention of pipelines and caches.
    package var retention = RetentionSettings()
    /// `notify.command`: an executable run (no arguments) with a finished pipeline's JSON on standard input.
    package var notifyCommand: String?
    /// `run_as`: the user jobs run as when cibox runs as root (nil: cibox's own user).
    package var runAs: String?
    /// `executor`: where job runs go unless their resource class or project says otherwise.
    package var defaultExecutor = ExecutorKind.local
    /// `project_executor`: project name → executor for its job runs.
    package var projectExecutors: [String: ExecutorKind] = [:]
    /// `executors.slurm`: the Slurm cluster, when one is set up.
    package var slurm: SlurmSettings?
    /// `report`: whether pipelines keep the HTML report under `$CIBOX_HOME/reports` up to date.
    package var writesReport = true
    /// `report: { world_readable }`: the report's files may be read by every user (to serve them); else only by
    /// cibox's user, like the rest of `$CIBOX_HOME`.
    package var reportIsWorldReadable = false

    /// `artifacts: { max_size }`: bytes of artifacts one job run may store.
    package var artifactLimit: Int64 = 2 << 30

    /// `config:`: the most a config may expand to.
    package var config = ConfigSettings()

    /// `images:`: whether jobs run in their images, aliases of references, and the containers' network.
    package var images = ImageSettings()

    /// `http:`: where the daemon serves its HTTP API, if anywhere.
    package var http = HTTPSettings()

    /// Makes settings; the defaults are what an absent file means.
    package init(
        capacity: Capacity? = nil, resourceClasses: [String: ResourceClass] = [:], jobTimeLimit: Double = 5 * 3600,
        noOutputTimeout: Double = 600, usesCgroups: Bool = true
    ) {
        self.capacity = capacity
        self.resourceClasses = resourceClasses
        self.jobTimeLimit = jobTimeLimit
        self.noOutputTimeout = noOutputTimeout
        self.usesCgroups = usesCgroups
    }

    private static let gibibyte: Int64 = 1_073_741_824

    /// CircleCI's Linux resource classes as cibox sizes them.
    package static let builtInClasses: [ResourceClass] = [
        ResourceClass(name: "small", millicores: 1000, memoryBytes: 2 * gibibyte),
        ResourceClass(name: "medium", millicores: 2000, memoryBytes: 4 * gibibyte),
        ResourceClass(name: "medium+", millicores: 3000, memoryBytes: 6 * gibibyte),
        ResourceClass(name: "large", millicores: 4000, memoryBytes: 8 * gibibyte),
        ResourceClass(name: "xlarge", millicores: 8000, memoryBytes: 16 * gibibyte),
        ResourceClass(name: "2xlarge", millicores: 16000, memoryBytes: 32 * gibibyte),
    ]

    /// The class a job asking for `name` gets, and a note when cibox had to guess or shrink it.
    ///
    /// Settings' classes first, then the built-in ones; CircleCI names with a prefix (`arm.large`,
    /// `macos.m1.medium.gen1`, `gpu.nvidia.small`) map to the size they end with; anything else is `medium`
    /// with a note. A class larger than `capacity` is clamped to it, with a note.
    package func resourceClass(named name: String?, capacity: Capacity) -> (ResourceClass, note: String?) {
        let requested = name ?? "medium"
        var note: String?
        var chosen: ResourceClass
        if let custom = resourceClasses[requested] {
            chosen = custom
        } else if let builtIn = Self.builtInClasses.first(where: { $0.name == requested }) {
            chosen = builtIn
        } else if let sized = Self.sizeSuffix(of: requested) {
            chosen = sized
            chosen.name = requested
        } else {
            chosen = Self.builtInClasses[1]
            chosen.name = requested
            note = "resource_class '\(requested)' is not known here; the job gets medium (2 CPUs, 4 GiB)"
        }
        if chosen.millicores > capacity.millicores || chosen.memoryBytes > capacity.memoryBytes {
            let original = chosen
            chosen.millicores = min(chosen.millicores, capacity.millicores)
            chosen.memoryBytes = min(chosen.memoryBytes, capacity.memoryBytes)
            let clamp =
                "resource_class '\(requested)' asks for \(Self.cpus(original.millicores)) CPUs and "
                + "\(original.memoryBytes / Self.gibibyte) GiB, more than this machine's capacity; "
                + "the job gets \(Self.cpus(chosen.millicores)) CPUs and \(chosen.memoryBytes / 1_048_576) MiB"
            note = note.map { $0 + "; " + clamp } ?? clamp
        }
        return (chosen, note)
    }

    private static func sizeSuffix(of name: String) -> ResourceClass? {
        let parts = name.split(separator: ".").map(String.init)
        for part in parts.reversed() {
            if let match = builtInClasses.first(where: { $0.name == part }) { return match }
        }
        return nil
    }

    private static func cpus(_ millicores: Int) -> String {
        millicores % 1000 == 0 ? String(millicores / 1000) : String(Double(millicores) / 1000)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// The compiled, immutable description of what a pipeline runs: its workflows and their job DAGs.
///
/// A plan is the output of the config compiler and the planner, stored with the pipeline as JSON,
/// and the only input the scheduler and the runner need besides the commit.
package struct Plan: Codable, Sendable, Equatable {
    /// The config's `version` (for example `2.1`).
    package var version: String
    /// The workflows to run, in config order.
    package var workflows: [WorkflowPlan]
    /// `true` for the plan of a setup config (`setup: true`), whose workflow may continue the pipeline;
    /// absent otherwise (and in plans stored before this field existed).
    package var isSetup: Bool?

    /// Makes a plan.
    package init(version: String, workflows: [WorkflowPlan]) {
        self.version = version
        self.workflows = workflows
    }
}

/// One workflow: a DAG of jobs.
package struct WorkflowPlan: Codable, Sendable, Equatable {
    /// The workflow's name (`build` for the implicit workflow of a 2.0 file).
    package var name: String
    /// Its jobs, in config order; `requires` only names jobs of this list.
    package var jobs: [JobPlan]

    /// Makes a workflow plan.
    package init(name: String, jobs: [JobPlan]) {
        self.name = name
        self.jobs = jobs
    }
}

/// A requirement of a job on another job of the same workflow.
package struct Requirement: Codable, Sendable, Equatable, Hashable {
    /// The required job's name in the workflow.
    package var job: String
    /// The statuses of the required job that let this one run (default: `success`).
    package var statuses: [JobStatus]

    /// Makes a requirement.
    package init(job: String, statuses: [JobStatus] = [.success]) {
        self.job = job
        self.statuses = statuses
    }
}

/// What kind of workflow job this is.
package enum JobKind: String, Codable, Sendable {
    /// A job that runs steps.
    case build
    /// `type: approval`: waits for `cibox approve`.
    case approval
}

/// One node of a workflow DAG.
package struct JobPlan: Codable, Sendable, Equatable {
    /// The name in the workflow (after matrix expansion and `name:` overrides); unique in its workflow.
    package var name: String
    /// The jobs this one waits for.
    package var requires: [Requirement]
    /// Build or approval.
    package var kind: JobKind
    /// Contexts named by the workflow (recorded; their variables come from settings).
    package var contexts: [String]
    /// What the job runs; `nil` for approval jobs.
    package var spec: JobSpec?

    /// Makes a job plan.
    package init(
        name: String, requires: [Requirement] = [], kind: JobKind = .build, contexts: [String] = [], spec: JobSpec?
    ) {
        self.name = name
        self.requires = requires
        self.kind = kind
        self.contexts = contexts
        self.spec = spec
    }
}

/// An environment variable, kept in order so that compiled plans and job environments are deterministic.
package struct EnvironmentVariable: Codable, Sendable, Equatable, Hashable {
    /// The variable's name.
    package var name: String
    /// Its value.
    package var value: String

    /// Makes a variable.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Where a job's steps would run in CircleCI; recorded as a label, run on the host.
package struct ExecutorLabel: Codable, Sendable, Equatable {
    /// `docker`, `machine`, `macos`, `windows` or `shell` (no executor key).
    package var kind: String
    /// The primary image (docker), the machine image, or the Xcode version; `nil` when none.
    package var image: String?
    /// Service container images (docker images after the first); reported as not run.
    package var serviceImages: [String]

    /// Makes a label.
    package init(kind: String, image: String? = nil, serviceImages: [String] = []) {
        self.kind = kind
        self.image = image
        self.serviceImages = serviceImages
    }

    /// `kind` plus the image, for display: `docker cimg/base:2024.01`.
    package var displayName: String {
        image.map { "\(kind) \($0)" } ?? kind
    }
}

/// Everything needed to run one job: its executor label, environment and steps.
package struct JobSpec: Codable, Sendable, Equatable {
    /// The job's name under `jobs:` (the workflow may rename it).
    package var definitionName: String
    /// The executor it asked for, recorded as a label.
    package var executor: ExecutorLabel
    /// `resource_class`, if given.
    package var resourceClass: String?
    /// `parallelism` (1 when absent).
    package var parallelism: Int
    /// The job's `working_directory` as written (default `~/project`).
    package var workingDirectory: String
    /// The job's `shell`, if given.
    package var shell: String?
    /// The job's `environment` (executor environment first, job keys winning).
    package var environment: [EnvironmentVariable]
    /// The steps in order.
    package var steps: [StepPlan]
    /// The `docker:` entries as written (the primary image first), for the processed config and the container;
    /// `nil` for other executors.
    package var dockerImages: [DockerImage]?
    /// `machine: { docker_layer_caching }`, when given.
    package var dockerLayerCaching: Bool?

    /// Makes a job spec.
    package init(
        definitionName: String,
        executor: ExecutorLabel = ExecutorLabel(kind: "shell"),
        resourceClass: String? = nil,
        parallelism: Int = 1,
        workingDirectory: String = "~/project",
        shell: String? = nil,
        environment: [EnvironmentVariable] = [],
        steps: [StepPlan]
    ) {
        self.definitionName = definitionName
        self.executor = executor
        self.resourceClass = resourceClass
        self.parallelism = parallelism
        self.workingDirectory = workingDirectory
        self.shell = shell
        self.environment = environment
        self.steps = steps
    }
}

/// When a step runs, relative to the steps before it (`when:` on a step).
package enum StepCondition: String, Codable, Sendable {
    /// Only while every earlier step succeeded (the default).
    case onSuccess = "on_success"
    /// Whatever happened before.
    case always
    /// Only when an earlier step failed.
    case onFail = "on_fail"
}

/// One step of a job.
package struct StepPlan: Codable, Sendable, Equatable {
    /// The name shown in logs and reports.
    package var name: String
    /// When the step runs.
    package var condition: StepCondition
    /// What it does.
    package var action: StepAction
    /// `checkout`'s `method` (`full` or `blobless`) when given; cibox always materialises the whole commit.
    package var checkoutMethod: String?

    /// Makes a step.
    package init(name: String, condition: StepCondition = .onSuccess, action: StepAction) {
        self.name = name
        self.condition = condition
        self.action = action
    }
}

/// The action of a step.
package enum StepAction: Codable, Sendable, Equatable {
    /// `checkout`: materialise the pipeline's commit; `path` is relative to the working directory when given.
    case checkout(path: String?)
    /// `run`: a shell command.
    case run(RunAction)
    /// A step cibox accepts but cannot do on this machine; running it fails with `message`
    /// (or, when `isFatal` is false, prints it and succeeds).
    case unsupported(key: String, message: String, isFatal: Bool)
    /// `save_cache`: store `paths` under `key` (a template with `{{ … }}` parts evaluated at run time).
    case saveCache(SaveCacheAction)
    /// `restore_cache`: restore the most recent cache whose key starts with one of `keys`, tried in order.
    case restoreCache(RestoreCacheAction)
    /// `persist_to_workspace`: add `paths` (globs relative to `root`) to the workflow's workspace.
    case persistToWorkspace(PersistToWorkspaceAction)
    /// `attach_workspace`: unpack the workspace layers of upstream jobs at `at`.
    case attachWorkspace(at: String)
    /// `store_artifacts`: keep `path` as artifacts under `destination` (default: `path`'s last component).
    case storeArtifacts(path: String, destination: String?)
    /// `store_test_results`: read JUnit XML results from `path` (a directory or a file).
    case storeTestResults(path: String)
    /// `setup_remote_docker`: a Docker engine (Podman's Docker API) for the job's later steps (`DOCKER_HOST`).
    case setupRemoteDocker(RemoteDockerAction)
}

/// A `save_cache` step.
package struct SaveCacheAction: Codable, Sendable, Equatable {
    /// The key template, such as `deps-{{ checksum "Package.resolved" }}`.
    package var key: String
    /// The paths to store (no wildcards; `~` allowed).
    package var paths: [String]

    /// Makes a save-cache action.
    package init(key: String, paths: [String]) {
        self.key = key
        self.paths = paths
    }
}

/// A `restore_cache` step.
package struct RestoreCacheAction: Codable, Sendable, Equatable {
    /// The key templates to try in order (`key` first, then `keys`), each matched as a prefix.
    package var keys: [String]

    /// Makes a restore-cache action.
    package init(keys: [String]) {
        self.keys = keys
    }
}

/// A `persist_to_workspace` step.
package struct PersistToWorkspaceAction: Codable, Sendable, Equatable {
    /// The root folder (absolute, or relative to the working directory).
    package var root: String
    /// Globs or folders relative to `root`.
    package var paths: [String]

    /// Makes a persist-to-workspace action.
    package init(root: String, paths: [String]) {
        self.root = root
        self.paths = paths
    }
}

/// A `run` step.
package struct RunAction: Codable, Sendable, Equatable {
    /// The command text, passed to the shell as a script file.
    package var command: String
    /// The step's `working_directory`, if given (relative to the job's).
    package var workingDirectory: String?
    /// The step's own `environment`.
    package var environment: [EnvironmentVariable]
    /// The step's `shell`, if given (else the job's, else `/bin/bash -eo pipefail`).
    package var shell: String?
    /// `background: true`.
    package var isBackground: Bool
    /// `no_output_timeout` in seconds, if given.
    package var noOutputTimeout: Double?

    /// Makes a run action.
    package init(
        command: String,
        workingDirectory: String? = nil,
        environment: [EnvironmentVariable] = [],
        shell: String? = nil,
        isBackground: Bool = false,
        noOutputTimeout: Double? = nil
    ) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.shell = shell
        self.isBackground = isBackground
        self.noOutputTimeout = noOutputTimeout
    }
}

extension RunAction {
    /// The name of a `run` step without `name:`: the command's first non-blank line, without its indentation (as
    /// CircleCI names it).
    package static func defaultName(of command: String) -> String {
        // Lines are found on the UTF-8 bytes and only the first that is not blank is looked at as characters:
        // a step's name costs what its first line costs, however long the command (a config bomb's).
        for bytes in command.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let line = Substring(bytes)
            if !line.allSatisfy(\.isWhitespace) { return String(line.drop { $0 == " " || $0 == "\t" }) }
        }
        return ""
    }
}

/// `setup_remote_docker`'s options.
package struct RemoteDockerAction: Codable, Sendable, Equatable {
    /// `version` as written (any is accepted: the engine is Podman's, which answers the Docker API 1.41).
    package var version: String?
    /// `docker_layer_caching`: keep the engine's storage (images, build cache) between runs of this project.
    package var layerCaching: Bool

    /// Makes options.
    package init(version: String? = nil, layerCaching: Bool = false) {
        self.version = version
        self.layerCaching = layerCaching
    }
}

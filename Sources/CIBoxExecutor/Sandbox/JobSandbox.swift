// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Where a job run's processes run, which files they see and as which user: the one seam between the step loop
/// (``JobRunner``: shells, environment, `when`, timeouts, masking, built-in steps) and what contains the job.
///
/// The host sandbox runs the job on this machine's own shell; a container sandbox runs it in its image. The step
/// loop is the same for every sandbox, on this machine and on a Slurm node alike, so step semantics exist once.
///
/// Lifecycle: ``prepare(workingDirectory:)`` once, before the first step; then any number of ``spawn(_:)`` calls and file
/// operations (``files``), possibly at the same time (background steps); ``killAll()`` at any moment;
/// ``tearDown()`` once, last. After `tearDown` nothing of the job is left: no process, no mount, and no folder
/// unless the request asked to keep it.
///
/// Concurrency: every member is safe to call from any thread. Errors: cibox's own faults throw
/// ``ExecutorError``; a user command that fails is never an error here.
package protocol JobSandbox: Sendable {
    /// How the job sees its paths.
    var view: SandboxView { get }
    /// The job's cgroup (or process groups): limits, accounting, and what ``killAll()`` kills.
    var isolation: JobIsolation { get }
    /// The built-in steps' file work, done with the job's rights in the job's view of the files.
    var files: any SandboxFiles { get }

    /// Makes the job's view of the files and its user ready (folders, their owner, the agent commands), with
    /// `workingDirectory` (in the job's view) made.
    /// - Throws: ``ExecutorError`` `workspace` when the job cannot have its folders.
    func prepare(workingDirectory: String) async throws(ExecutorError)

    /// Starts a process in the sandbox, in a session of its own.
    /// - Throws: ``ExecutorError`` `spawnFailed` naming the program when it cannot start.
    func spawn(_ command: SandboxCommand) async throws(ExecutorError) -> any SandboxProcess

    /// Writes a file of cibox's own for the job (a step's script) and returns its path as the job sees it.
    /// - Throws: ``ExecutorError`` `workspace` when it cannot be written.
    func writeControlFile(named name: String, contents: String) throws(ExecutorError) -> String

    /// The image the job runs in; nil on this machine's shell.
    var image: JobImage? { get }

    /// The socket the sandbox made for the job's Docker engine, when the engine's socket must exist before the
    /// job's first process (a container's mounts are fixed when it is made); nil: the engine makes its own.
    var dockerSocket: DockerSocket? { get }

    /// Whether `circleci-agent step halt` ran in the job.
    var isHalted: Bool { get }

    /// Whether the job's folder is still there (something outside the job may have removed it).
    var isIntact: Bool { get }

    /// Kills every process of the job at once (a stop's grace period is over).
    func killAll()

    /// Ends the job: kills what is left, reads what it used, and removes everything it made.
    /// - Returns: what the job used.
    func tearDown() async -> ResourceUsage
}

extension JobSandbox {
    /// On this machine's shell: no image.
    package var image: JobImage? { nil }

    /// On this machine's shell: the engine makes its socket when it starts.
    package var dockerSocket: DockerSocket? { nil }
}

/// How a job sees paths: its `HOME`, and how the paths a config writes resolve, exactly as its shell would.
package struct SandboxView: Sendable {
    /// The job's `HOME` and `~`, as the job sees it.
    package var home: String
    /// cibox's files for the job as the job sees them: `BASH_ENV`, the halt file, the steps' scripts.
    package var controlDirectory: String
    /// Maps paths the config writes that mean the job's home on CircleCI (`/home/circleci/…`, `/root/…`) there.
    package var imageHomes: [String]
    /// The shell of steps that name none (CircleCI's: bash, or `/bin/sh` in an image without bash).
    package var defaultShell: String
    /// The environment steps start from, before CircleCI's variables and the job's (an image's `Env`); nil takes a
    /// few of cibox's own (`PATH`, `LANG`, …).
    package var baseEnvironment: [String: String]?
    /// The folder of the `circleci` and `circleci-agent` commands as the job sees it; nil: cibox's shared folder.
    package var commandsDirectory: String?

    /// Makes a view.
    package init(
        home: String, controlDirectory: String, imageHomes: [String] = [],
        defaultShell: String = "/bin/bash -eo pipefail",
        baseEnvironment: [String: String]? = nil, commandsDirectory: String? = nil
    ) {
        self.home = home
        self.controlDirectory = controlDirectory
        self.imageHomes = imageHomes
        self.defaultShell = defaultShell
        self.baseEnvironment = baseEnvironment
        self.commandsDirectory = commandsDirectory
    }

    /// `$BASH_ENV`: sourced by bash before each step (CircleCI's way to pass variables between steps).
    package var bashEnv: String { controlDirectory + "/bash_env" }

    /// Created by `circleci-agent step halt`: the job ends successfully after the current step.
    package var haltFile: String { controlDirectory + "/halt" }

    /// `$CIRCLE_SHELL_ENV`.
    package var shellEnv: String { controlDirectory + "/shell-env" }

    /// The absolute path, in the job's view, of `path` as written in the config: `~` is the job's home, relative
    /// paths are relative to `base` (the job's working directory; the home when nil).
    package func resolve(_ path: String, relativeTo base: String? = nil) -> String {
        JobPaths(home: home, imageHomes: imageHomes).resolve(path, relativeTo: base)
    }
}

/// A process to start in a sandbox.
package struct SandboxCommand: Sendable {
    /// The program: an absolute path in the job's view, or a name looked up on the environment's `PATH` there.
    package var program: String
    /// Its arguments (after `argv[0]`).
    package var arguments: [String]
    /// Its whole environment.
    package var environment: [String: String]
    /// Its working folder in the job's view, made when missing.
    package var directory: String
    /// The descriptor its standard output goes to.
    package var output: Int32
    /// The descriptor its standard error goes to (nil: with the output).
    package var errorOutput: Int32?
    /// The descriptor it reads as standard input (nil: `/dev/null`).
    package var input: Int32?

    /// Makes a command.
    package init(
        program: String, arguments: [String], environment: [String: String], directory: String, output: Int32,
        errorOutput: Int32? = nil, input: Int32? = nil
    ) {
        self.program = program
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.output = output
        self.errorOutput = errorOutput
        self.input = input
    }
}

/// Makes the sandbox of each job run: the host's, or (later) a container's when the job's image is at hand.
///
/// Called once per job run, from its task; implementations are safe from many tasks at once.
package protocol SandboxProvider: Sendable {
    /// The sandbox for `request`, whose processes are contained by `isolation`.
    /// - Throws: ``ExecutorError`` when the job cannot have the sandbox it needs (the job then fails as
    ///   `infrastructure` with the message).
    func makeSandbox(for request: JobRunRequest, isolation: JobIsolation) async throws(ExecutorError)
        -> any JobSandbox
}

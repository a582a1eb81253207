// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Gives a job run a Docker engine of its own (Podman's Docker API on a socket), whose containers and builds run in
/// the job's cgroup and end with it: `setup_remote_docker`, and `machine:` jobs.
///
/// Implemented above the executor (`CIBoxDockerEngine`) and handed to the executor by the engine; the step loop
/// asks for an engine at most once per job run and stops it before the sandbox is torn down.
package protocol DockerEngineProvider: Sendable {
    /// Starts the engine of `request` beside `sandbox` (in its cgroup).
    /// - Parameter log: the step's log, for what the start says.
    /// - Returns: the running engine.
    /// - Throws: ``ExecutorError`` (`spawnFailed`) naming what is missing or refused and what to do.
    func start(_ action: RemoteDockerAction, request: JobRunRequest, sandbox: any JobSandbox, log: Int32)
        async throws(ExecutorError) -> any DockerEngine

    /// A `machine:` job's engine, from the job's start: its socket now, the engine itself when a client first
    /// connects. nil when the job may have none (it is then not told: most machine jobs use no engine).
    func offer(request: JobRunRequest, sandbox: any JobSandbox) -> (any DockerEngine)?
}

/// A job's running Docker engine.
package protocol DockerEngine: Sendable {
    /// What the job's later steps get: `DOCKER_HOST` (in the job's view), `DOCKER_BUILDKIT=0`, ….
    var environment: [String: String] { get }
    /// A folder for the end of the steps' `PATH` (a `docker` command when this machine has none); nil: none.
    var commandsFolder: String? { get }
    /// Stops the engine and removes what it made (kept: the storage of `docker_layer_caching`). Called after the
    /// job's processes were killed, before the sandbox is torn down.
    func stop() async
}

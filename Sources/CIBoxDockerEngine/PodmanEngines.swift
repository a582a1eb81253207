// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
import CIBoxImages
package import CIBoxModel
import Foundation

/// Gives jobs a Docker engine of their own: Podman's Docker API service (`podman system service`), started per job
/// run in the job's cgroup and in namespaces of its own (cgroup, mount, network: loopback only), with its own
/// storage seeded from cibox's image store. Its containers and builds are the job's processes: the job's limits and
/// accounting cover them, a cancel or time limit kills them, and nothing is left after the job.
package struct PodmanEngines: DockerEngineProvider {
    /// Who may have one.
    let policy: DockerEnginePolicy
    /// cibox's image store (what engines are seeded with).
    let store: ImageStore
    /// Where `docker_layer_caching` keeps each project's engine storage (`<storage>/engines/<project id>`).
    let cacheFolder: String
    /// Where sockets go (short: a socket path has at most 107 bytes).
    let socketFolder: String
    /// What the engine's containers and builds reach (`images: { network }`).
    let network: ImageNetwork
    let podman: String?
    let skopeo: String?
    let unshare: String?
    let ip: String?

    /// Makes the provider of the home `home` (sockets are named after it) whose storage folder is `storage`.
    package init(policy: DockerEnginePolicy, home: String, storage: String, network: ImageNetwork = .loopback) {
        self.policy = policy
        self.network = network
        store = ImageStore(home: storage)
        cacheFolder = storage + "/engines"
        socketFolder = "/run/cibox/" + StableHash.hex(of: home).prefix(12) + "/docker"
        podman = Self.find("podman")
        skopeo = Self.find("skopeo")
        unshare = Self.find("unshare")
        ip = Self.find("ip")
    }

    /// The program `name` in the usual folders (where the jobs' engines are started from, and `cibox doctor` looks).
    package static func find(_ name: String) -> String? {
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"].map { $0 + "/" + name }.first {
            access($0, X_OK) == 0
        }
    }

    /// See ``DockerEngineProvider``: started now, its start said in the step's log.
    package func start(_ action: RemoteDockerAction, request: JobRunRequest, sandbox: any JobSandbox, log: Int32)
        async throws(ExecutorError) -> any DockerEngine
    {
        try check(request: request, sandbox: sandbox)
        let tools = try self.tools()
        let prepared = try prepare(action, request: request, sandbox: sandbox)
        let engine = try await launch(prepared, action: action, request: request, sandbox: sandbox, tools: tools) {
            _ = $0.withCString { write(log, $0, strlen($0)) }
        }
        do {
            try engine.openSocket(bound: sandbox.dockerSocket)
        } catch {
            await engine.stop()
            throw ExecutorError(
                .spawnFailed, "Cannot open the job's Docker socket '\(prepared.files.socket)': \(error).")
        }
        return engine
    }

    /// See ``DockerEngineProvider``: a `machine:` job's socket, whose engine starts when a client first connects
    /// (most machine jobs never use it), its start said in the job's environment log.
    package func offer(request: JobRunRequest, sandbox: any JobSandbox) -> (any DockerEngine)? {
        guard (try? check(request: request, sandbox: sandbox)) != nil, let tools = try? tools() else { return nil }
        let action = RemoteDockerAction(version: nil, layerCaching: request.spec.dockerLayerCaching ?? false)
        let files = files(request: request, sandbox: sandbox, cache: nil)
        do {
            try Folders.make(files.state, mode: 0o711)
            try writeWrapper(files: files, podman: tools.podman)
            try Folders.make(Paths.parent(files.socket), mode: 0o711)
        } catch {
            FolderTree.remove(files.state)
            return nil
        }
        let log = EnvironmentLog(path: request.logDirectory + "/environment.log", secrets: request.secrets)
        let engine = OnDemandEngine(
            socket: files.socket, upstream: files.upstream, commandsFolder: files.commands,
            hostNetwork: files.hostNetwork
        ) {
            () async throws(ExecutorError) -> PodmanEngine in
            do throws(ExecutorError) {
                let prepared = try prepare(action, request: request, sandbox: sandbox)
                return try await launch(prepared, action: action, request: request, sandbox: sandbox, tools: tools) {
                    for line in $0.split(separator: "\n") { log.append(String(line)) }
                }
            } catch {
                log.append(error.message)
                throw error
            }
        }
        do {
            try engine.open(jobUser: request.runAs)
        } catch {
            FolderTree.remove(files.state)
            FolderTree.remove(Paths.parent(files.socket))
            return nil
        }
        return engine
    }

    /// podman, skopeo and unshare.
    private func tools() throws(ExecutorError) -> (podman: String, skopeo: String, unshare: String) {
        guard let podman, let unshare, let skopeo else {
            throw ExecutorError(
                .spawnFailed,
                "setup_remote_docker needs podman, skopeo and unshare on this machine (Debian: podman, skopeo, "
                    + "util-linux; scripts/install-deps.sh installs them).")
        }
        return (podman, skopeo, unshare)
    }

    /// The files of `request`'s engine: its socket the sandbox's, or one under `/run/cibox`.
    private func files(request: JobRunRequest, sandbox: any JobSandbox, cache: EngineCache?) -> EngineFiles {
        let state = request.controlDirectory + "/docker"
        return EngineFiles(
            storage: cache?.folder ?? state + "/storage", state: state, runtime: cache?.folder ?? state,
            socket: sandbox.dockerSocket?.path ?? socketFolder + "/\(request.jobID)-\(getpid())/docker.sock",
            hostNetwork: network == .host)
    }

    /// The engine's folders and configuration, with the project's kept storage when asked for and free.
    private func prepare(_ action: RemoteDockerAction, request: JobRunRequest, sandbox: any JobSandbox)
        throws(ExecutorError) -> (files: EngineFiles, cache: EngineCache?)
    {
        let cache = action.layerCaching ? EngineCache.take(folder: cacheFolder, project: request.projectID) : nil
        let files = files(request: request, sandbox: sandbox, cache: cache)
        do {
            // What a killed engine of the project's kept storage left is stale.
            if cache != nil {
                PodmanEngine.unmount(under: files.runRoot)
                FolderTree.remove(files.runRoot)
                FolderTree.remove(files.temporary)
            }
            try Folders.make(files.state, mode: 0o711)
            for folder in [files.storage + "/root", files.runRoot, files.temporary, files.state + "/cni"] {
                try Folders.make(folder, mode: 0o700)
            }
            if sandbox.dockerSocket == nil { try Folders.make(Paths.parent(files.socket), mode: 0o711) }
            try FileWriter.replace(files.storageConfText, at: files.storageConf, mode: 0o600)
            try FileWriter.replace(files.containersConfText, at: files.containersConf, mode: 0o600)
            try FileWriter.replace(EngineFiles.registriesConfText, at: files.registriesConf, mode: 0o600)
            try FileWriter.replace(EngineFiles.policyText, at: files.policy, mode: 0o600)
            if sandbox.image == nil, let podman { try writeWrapper(files: files, podman: podman) }
        } catch {
            cache?.release()
            throw ExecutorError(.spawnFailed, "Cannot prepare the job's Docker engine in '\(files.state)': \(error).")
        }
        return (files, cache)
    }

    /// `docker` for a job on this machine's shell: the engine's folder is last on the job's `PATH`, so this
    /// machine's own docker client wins when there is one; else Podman's client speaks to the job's engine.
    private func writeWrapper(files: EngineFiles, podman: String) throws {
        try Folders.make(files.commands, mode: 0o755)
        let script =
            "#!/bin/sh\n# Installed by cibox: this machine has no docker client; Podman's speaks to the job's engine.\n"
            + "exec '\(podman)' --remote --url \"${DOCKER_HOST:-unix://\(files.socket)}\" \"$@\"\n"
        try FileWriter.replace(script, at: files.commands + "/docker", mode: 0o755)
    }

    /// Seeds the prepared engine and starts its service beside the job; returns once it answers.
    private func launch(
        _ prepared: (files: EngineFiles, cache: EngineCache?), action: RemoteDockerAction, request: JobRunRequest,
        sandbox: any JobSandbox, tools: (podman: String, skopeo: String, unshare: String),
        say: (String) -> Void
    ) async throws(ExecutorError) -> PodmanEngine {
        let (files, cache) = prepared
        let started = ContinuousClock.now
        do {
            try FileWriter.replace(files.launcherText(podman: tools.podman, ip: ip), at: files.launcher, mode: 0o700)
        } catch {
            cache?.release()
            throw ExecutorError(.spawnFailed, "Cannot prepare the job's Docker engine in '\(files.state)': \(error).")
        }
        let seeded = await EngineSeeder(store: store, files: files, skopeo: tools.skopeo).seed()
        let output = open(files.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { if output >= 0 { close(output) } }
        let pid: Int32
        do throws(ExecutorError) {
            pid = try sandbox.isolation.spawnBeside(
                [tools.unshare, "--cgroup", "--mount"] + (network == .host ? [] : ["--net"])
                    + ["--propagation", "private", "/bin/sh", files.launcher],
                environment: files.environment, output: output)
        } catch {
            cache?.release()
            throw error
        }
        let engine = PodmanEngine(
            files: files, pid: pid, cache: cache, podman: tools.podman, jobUser: request.runAs,
            inContainer: sandbox.image != nil)
        while !EngineSocket.answers(files.upstream) {
            if engine.hasExited || ContinuousClock.now - started > .seconds(60) {
                let said = (try? String(contentsOfFile: files.log, encoding: .utf8)) ?? ""
                await engine.stop()
                throw ExecutorError(
                    .spawnFailed,
                    "The job's Docker engine (podman system service) did not start: "
                        + (said.split(separator: "\n").suffix(3).joined(separator: " | ")))
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        var text =
            "Started a Docker engine for this job (Podman's Docker API"
            + (action.version.map { ", asked for Docker \($0)" } ?? "") + ") in "
            + String(format: "%.2f", seconds) + " s: DOCKER_HOST=\(engine.environment["DOCKER_HOST"] ?? "")\n"
        if cache != nil { text += "docker_layer_caching: the project's engine storage is kept between runs.\n" }
        if action.layerCaching, cache == nil {
            text +=
                "docker_layer_caching: another job of this project uses the cached storage; this one starts empty.\n"
        }
        if !seeded.given.isEmpty { text += "Images from cibox's store: \(seeded.given.joined(separator: ", "))\n" }
        if !seeded.failed.isEmpty { text += "Could not give the engine: \(seeded.failed.joined(separator: ", "))\n" }
        say(text)
        return engine
    }

    /// Refuses a job the policy does not give an engine, saying why and what to do.
    private func check(request: JobRunRequest, sandbox: any JobSandbox) throws(ExecutorError) {
        let why: String?
        switch policy {
        case .off:
            why = "settings say `images: { docker_engine: off }`"
        case .all:
            why = nil
        case .rootJobs:
            if getuid() != 0 {
                why = "cibox does not run as root"
            } else if sandbox.image != nil {
                why = "this job runs in its image, and the engine's socket would give it root on this machine"
            } else if request.runAs != nil {
                why = "this job runs as another user (run_as), and the engine's socket would give it root here"
            } else {
                why = nil
            }
        }
        if let why {
            throw ExecutorError(
                .spawnFailed,
                "This job cannot have a Docker engine: \(why). The engine runs as root on this machine; if every "
                    + "config this cibox runs is trusted, set `images: { docker_engine: all }` in settings.yml.")
        }
        if getuid() != 0 {
            throw ExecutorError(
                .spawnFailed, "A job's Docker engine needs cibox to run as root (Podman's engine is root's).")
        }
        if sandbox.image != nil, sandbox.dockerSocket == nil {
            throw ExecutorError(
                .spawnFailed,
                "This job cannot have a Docker engine: its sandbox made no socket for it. Run the job with "
                    + "`machine: true` (its steps then get DOCKER_HOST).")
        }
    }
}

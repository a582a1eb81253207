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
    let podman: String?
    let skopeo: String?
    let unshare: String?
    let ip: String?

    /// Makes the provider of the home `home` (sockets are named after it) whose storage folder is `storage`.
    package init(policy: DockerEnginePolicy, home: String, storage: String) {
        self.policy = policy
        store = ImageStore(home: storage)
        cacheFolder = storage + "/engines"
        socketFolder = "/run/cibox/" + StableHash.hex(of: home).prefix(12) + "/docker"
        podman = Self.find("podman")
        skopeo = Self.find("skopeo")
        unshare = Self.find("unshare")
        ip = Self.find("ip")
    }

    /// The program `name` in the usual folders.
    static func find(_ name: String) -> String? {
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"].map { $0 + "/" + name }.first {
            access($0, X_OK) == 0
        }
    }

    /// See ``DockerEngineProvider``.
    package func start(_ action: RemoteDockerAction, request: JobRunRequest, sandbox: any JobSandbox, log: Int32)
        async throws(ExecutorError) -> any DockerEngine
    {
        try check(request: request, sandbox: sandbox)
        guard let podman, let unshare, let skopeo else {
            throw ExecutorError(
                .spawnFailed,
                "setup_remote_docker needs podman, skopeo and unshare on this machine (Debian: podman, skopeo, "
                    + "util-linux; scripts/install-deps.sh installs them).")
        }
        let started = ContinuousClock.now
        let state = request.controlDirectory + "/docker"
        let cache = action.layerCaching ? EngineCache.take(folder: cacheFolder, project: request.projectID) : nil
        let files = EngineFiles(
            storage: cache?.folder ?? state + "/storage", state: state, runtime: cache?.folder ?? state,
            socket: socketFolder + "/\(request.jobID)-\(getpid())/docker.sock")
        do {
            // What a killed engine of the project's kept storage left is stale.
            if cache != nil {
                PodmanEngine.unmount(under: files.runRoot)
                FolderTree.remove(files.runRoot)
                FolderTree.remove(files.temporary)
            }
            for folder in [files.storage + "/root", files.runRoot, files.temporary, state + "/cni"] {
                try Folders.make(folder, mode: 0o700)
            }
            try Folders.make(Paths.parent(files.socket), mode: 0o711)
            try FileWriter.replace(files.storageConfText, at: files.storageConf, mode: 0o600)
            try FileWriter.replace(files.containersConfText, at: files.containersConf, mode: 0o600)
            try FileWriter.replace(EngineFiles.registriesConfText, at: files.registriesConf, mode: 0o600)
            try FileWriter.replace(EngineFiles.policyText, at: files.policy, mode: 0o600)
            try FileWriter.replace(files.launcherText(podman: podman, ip: ip), at: files.launcher, mode: 0o700)
        } catch {
            throw ExecutorError(.spawnFailed, "Cannot prepare the job's Docker engine in '\(state)': \(error).")
        }
        let seeded = await EngineSeeder(store: store, files: files, skopeo: skopeo).seed()
        let output = open(files.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { if output >= 0 { close(output) } }
        let pid = try sandbox.isolation.spawnBeside(
            [unshare, "--cgroup", "--mount", "--net", "--propagation", "private", "/bin/sh", files.launcher],
            environment: files.environment, output: output)
        let engine = PodmanEngine(
            files: files, pid: pid, cache: cache, podman: podman, jobUser: request.runAs,
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
        do {
            try engine.openSocket()
        } catch {
            await engine.stop()
            throw ExecutorError(.spawnFailed, "Cannot open the job's Docker socket '\(files.socket)': \(error).")
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
        _ = text.withCString { write(log, $0, strlen($0)) }
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
        if sandbox.image != nil {
            throw ExecutorError(
                .spawnFailed,
                "This job cannot have a Docker engine yet: cibox does not give a job that runs in its image the "
                    + "engine's socket. Run the job with `machine: true` (its steps then get DOCKER_HOST).")
        }
    }
}

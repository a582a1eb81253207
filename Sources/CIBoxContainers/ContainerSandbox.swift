// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
import CIBoxImages
package import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The job runs in its `docker:` image, as CircleCI's docker executor runs it: each container (the primary, then the
/// services) is started by runc with cibox's agent as its first process, on an overlay of the image's root; steps
/// and the built-in steps' helper are started by the primary's agent, as the image's user, in the image's files.
///
/// On this machine, beside the job's folder (`<work>`, bound at the working directory), cibox's control folder
/// (`<work>.cibox`) holds `steps/` (scripts, read-only in the container at `/.cibox/steps`), `job/` (`BASH_ENV`, the
/// halt file: `/.cibox/job`), `bin/` (`circleci`, `circleci-agent`: `/.cibox/bin`), `etc/` (`hosts`,
/// `resolv.conf`, `hostname`, shared by the job's containers), `files/` and `staging/` (cibox's), and `c/NAME/`,
/// one runtime bundle per container. cibox's own program and this machine's loader and libraries are bound
/// read-only at `/.cibox/cibox` and `/.cibox/lib/N`, so the helper and `circleci-agent` need nothing of the image.
///
/// The containers live in the job's cgroup (services in sub-cgroups of it): limits, accounting and the kill work as
/// on this machine. Killing a container's first process kills its pid namespace, whatever the cgroups.
package final class ContainerSandbox: JobSandbox {
    /// The job run.
    let request: JobRunRequest
    /// See ``JobSandbox``.
    package let view: SandboxView
    /// See ``JobSandbox``.
    package let isolation: JobIsolation
    /// The primary container's image.
    let primary: ContainerImage
    /// The service containers' images, in order.
    let services: [ContainerImage]
    /// The user steps run as.
    let account: ImageUsers.Account
    /// What runs containers.
    let runtime: ContainerRuntime
    private let state = Mutex(State())

    private struct State {
        var bundles: [ContainerBundle] = []
        var logs: [ServiceLog] = []
        var workingDirectory = ""
        var isStopping = false
        var dockerSocket: DockerSocket?
    }

    /// The job's sandbox in `primary`, with `services` beside it.
    /// - Throws: ``ExecutorError`` `spawnFailed` when the image has no such user as the job asks for.
    package init(
        request: JobRunRequest, isolation: JobIsolation, primary: ContainerImage, services: [ContainerImage],
        runtime: ContainerRuntime
    ) throws(ExecutorError) {
        self.request = request
        self.isolation = isolation
        self.primary = primary
        self.services = services
        self.runtime = runtime
        account = try primary.users.account(
            primary.entry.user ?? primary.configuration.user ?? "", image: primary.entry.image)
        var environment = primary.environment
        if environment["PATH"] == nil {
            environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        view = SandboxView(
            home: account.home, controlDirectory: Self.jobFolder, imageHomes: [], defaultShell: primary.defaultShell,
            baseEnvironment: environment, commandsDirectory: Self.commandsFolder)
    }

    static let jobFolder = "/.cibox/job"
    static let stepsFolder = "/.cibox/steps"
    static let commandsFolder = "/.cibox/bin"
    static let agentPath = "/.cibox/agent"
    static let ciboxPath = "/.cibox/cibox"

    var control: String { request.controlDirectory }
    var hostJobFolder: String { control + "/job" }

    /// See ``JobSandbox``: the helper runs in the primary container as the job's user, through this machine's loader.
    package var files: any SandboxFiles {
        let workingDirectory = state.withLock { $0.workingDirectory }
        return HelperFiles(
            sandbox: self, program: runtime.libraries.launcher + [Self.ciboxPath], home: "/",
            scratch: control + "/files", environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
            staging: control + "/staging",
            handoff: HelperCheckout.Handoff(host: request.workDirectory, view: workingDirectory),
            runAs: (account.uid, account.gid))
    }

    /// The image the job runs in: the primary's reference and manifest digest.
    package var image: JobImage? { JobImage(reference: primary.reference, digest: primary.digest) }

    /// See ``JobSandbox``: made when a step asks for an engine, bound in the primary at `/var/run/docker.sock`.
    package var dockerSocket: DockerSocket? { state.withLock { $0.dockerSocket } }

    /// Makes the job's folders, starts the primary container and then the services.
    package func prepare(workingDirectory: String) async throws(ExecutorError) {
        state.withLock { $0.workingDirectory = workingDirectory }
        do {
            try Folders.make(Paths.parent(request.workDirectory), mode: 0o711)
            try Folders.make(request.workDirectory, mode: 0o755)
            try Folders.make(control, mode: 0o711)
            for (folder, mode) in [("steps", 0o755), ("job", 0o700), ("bin", 0o755), ("etc", 0o755)] {
                try Folders.make(control + "/" + folder, mode: mode)
            }
            for folder in ["files", "staging", "c"] { try Folders.make(control + "/" + folder, mode: 0o700) }
            _ = FileManager.default.createFile(atPath: hostJobFolder + "/bash_env", contents: nil)
            try writeCommands()
            try handInFiles()
            try writeNetworkFiles()
            for folder in [request.workDirectory, hostJobFolder] {
                try FileOwnership.giveAway(folder, to: (account.uid, account.gid))
            }
        } catch let error as ExecutorError {
            throw error
        } catch {
            throw ExecutorError(
                .workspace,
                "Cannot prepare the job's folders under '\(request.workDirectory)': \(error.localizedDescription)",
                cause: error)
        }
        if request.asksForDockerEngine {
            let socket = try DockerSocket(for: request, owner: (account.uid, account.gid))
            state.withLock { $0.dockerSocket = socket }
        }
        let bundle = try makeBundle(name: "primary", image: primary)
        try await bundle.start(primaryConfig(bundle: bundle, workingDirectory: workingDirectory), runc: runtime.runc)
        try await startServices(after: bundle)
    }

    /// `circleci` and `circleci-agent`: scripts that start cibox's own program through this machine's loader.
    private func writeCommands() throws {
        let words = (runtime.libraries.launcher + [Self.ciboxPath])
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let script =
            "#!/bin/sh\n# Installed by cibox: CircleCI's agent commands, done locally.\nexec \(words) agent \"$@\"\n"
        for name in ["circleci", "circleci-agent"] {
            try FileWriter.write(script, to: control + "/bin/" + name, mode: 0o755)
        }
    }

    /// `/etc/hosts` (localhost, the job's host name, every service's name), `/etc/hostname`, `/etc/resolv.conf`
    /// (this machine's with the host network, else none: names outside the job do not resolve).
    private func writeNetworkFiles() throws {
        let names = [hostName] + services.map(\.hostName)
        let hosts =
            "127.0.0.1\tlocalhost \(names.joined(separator: " "))\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        try FileWriter.write(hosts, to: control + "/etc/hosts", mode: 0o644)
        try FileWriter.write(hostName + "\n", to: control + "/etc/hostname", mode: 0o644)
        let resolver =
            runtime.network == .host
            ? String(decoding: FileReader.contents(atPath: "/etc/resolv.conf") ?? [], as: UTF8.self)
            : "# cibox: a job's network is its own loopback (images: { network: host } shares this machine's).\n"
        try FileWriter.write(resolver, to: control + "/etc/resolv.conf", mode: 0o644)
    }

    /// The job's host name: its name, made of letters, digits and dashes.
    var hostName: String {
        let cleaned = String(
            request.jobName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(63))
        let trimmed = cleaned.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "job" : trimmed
    }

    func makeBundle(name: String, image: ContainerImage) throws(ExecutorError) -> ContainerBundle {
        let folder = control + "/c/" + name
        do {
            try Folders.make(folder, mode: 0o700)
        } catch {
            throw ExecutorError(.workspace, "Cannot make '\(folder)': \(error.localizedDescription)", cause: error)
        }
        let bundle = ContainerBundle(id: containerID(name), folder: folder, image: image)
        let stopping = state.withLock { state in
            state.bundles.append(bundle)
            return state.isStopping
        }
        if stopping { throw ExecutorError(.spawnFailed, "The job is being stopped: no container is started.") }
        return bundle
    }

    /// runc's id of container `name`: the job's cgroup prefix (its home and job id: a crashed cibox's containers are
    /// found by it), the job folder's random part, the name.
    func containerID(_ name: String) -> String {
        let state = request.stateDirectory.isEmpty ? request.controlDirectory : request.stateDirectory
        return CgroupManager.groupPrefix(stateDirectory: state, jobID: request.jobID)
            + Paths.lastComponent(request.workDirectory).suffix(8) + "-" + name
    }

    /// What every container of the job gets: the agent, the network files.
    var commonBinds: [RuntimeConfig.Bind] {
        [
            RuntimeConfig.Bind(source: runtime.agentExecutable, target: Self.agentPath, readOnly: true),
            RuntimeConfig.Bind(source: control + "/etc/hosts", target: "/etc/hosts", readOnly: false),
            RuntimeConfig.Bind(source: control + "/etc/hostname", target: "/etc/hostname", readOnly: false),
            RuntimeConfig.Bind(source: control + "/etc/resolv.conf", target: "/etc/resolv.conf", readOnly: false),
        ]
    }

    private func primaryConfig(bundle: ContainerBundle, workingDirectory: String) -> RuntimeConfig {
        let binds =
            commonBinds + [
                RuntimeConfig.Bind(source: control + "/steps", target: Self.stepsFolder, readOnly: true),
                RuntimeConfig.Bind(source: hostJobFolder, target: Self.jobFolder, readOnly: false),
                RuntimeConfig.Bind(source: control + "/bin", target: Self.commandsFolder, readOnly: true),
                RuntimeConfig.Bind(source: runtime.helperExecutable, target: Self.ciboxPath, readOnly: true),
            ] + runtime.libraries.binds
            + [RuntimeConfig.Bind(source: request.workDirectory, target: workingDirectory, readOnly: false)]
            + (dockerSocket.map {
                [RuntimeConfig.Bind(source: $0.path, target: DockerSocket.inContainer, readOnly: false)]
            }
                ?? [])
        return RuntimeConfig.container(
            arguments: [Self.agentPath, "--control", "3"], hostname: hostName, binds: binds,
            network: runtime.network == .host ? .host : .own,
            cgroupsPath: isolation.runtimeCgroupsPath(container: bundle.id), openFiles: RuntimeConfig.openFilesLimit)
    }

    /// Whether the job is being stopped (its processes are killed on purpose).
    var isStopping: Bool { state.withLock { $0.isStopping } }

    /// Keeps a service's log until the end of the job.
    func appendLog(_ log: ServiceLog) {
        state.withLock { $0.logs.append(log) }
    }

    /// Starts `command` in the primary container as the job's user.
    package func spawn(_ command: SandboxCommand) async throws(ExecutorError) -> any SandboxProcess {
        guard let bundle = state.withLock({ $0.bundles.first }), let agent = bundle.agent else {
            throw ExecutorError(.spawnFailed, "The job's container is not running.")
        }
        var environment = command.environment
        for name in handedBackFiles.keys { environment[name] = Self.jobFolder + "/" + name }
        return try await start(
            [command.program] + command.arguments, through: agent, in: bundle, image: primary, user: account,
            directory: command.directory, makesDirectory: true, environment: environment, input: command.input,
            output: command.output, errorOutput: command.errorOutput ?? command.output)
    }

    /// Starts `arguments` through `agent`, its program found on the environment's `PATH` in `bundle`'s files, as
    /// `user`; standard input is `input`, else `/dev/null`.
    func start(
        _ arguments: [String], through agent: AgentConnection, in bundle: ContainerBundle, image: ContainerImage,
        user: ImageUsers.Account, directory: String, makesDirectory: Bool, environment: [String: String],
        input: Int32?, output: Int32, errorOutput: Int32
    ) async throws(ExecutorError) -> AgentProcess {
        let program = try locate(arguments[0], path: environment["PATH"] ?? "", in: bundle, image: image)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        return try await agent.spawn(
            AgentSpawn(
                user: (user.uid, user.gid, user.groups), directory: directory, makesDirectory: makesDirectory,
                arguments: [program] + arguments.dropFirst(), environment: environment,
                descriptors: [input ?? devNull, output, errorOutput]))
    }

    /// `program` as a path in the container: itself when it has a slash, else the first of that name on `path` in
    /// the container's files (cibox's own commands included).
    func locate(_ program: String, path: String, in bundle: ContainerBundle, image: ContainerImage)
        throws(ExecutorError) -> String
    {
        guard !program.contains("/"), !program.isEmpty else { return try HostSandbox.locate(program, path: "") }
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if candidate.hasPrefix(Self.commandsFolder + "/") {
                if access(control + "/bin/" + program, X_OK) == 0 { return candidate }
                continue
            }
            var info = stat()
            if lstat(bundle.rootfs + candidate, &info) == 0 { return candidate }
        }
        throw ExecutorError(
            .spawnFailed,
            "'\(program)' is not on PATH in the image '\(image.entry.image)'. Use a program the image has, or an "
                + "absolute path (`shell:` for a step's shell).")
    }

    /// Writes a step's script where the job can read it, never change it.
    package func writeControlFile(named name: String, contents: String) throws(ExecutorError) -> String {
        let path = control + "/steps/" + name
        do {
            try FileWriter.write(contents, to: path)
        } catch {
            throw ExecutorError(.workspace, "Cannot write '\(path)': \(error.localizedDescription)", cause: error)
        }
        return Self.stepsFolder + "/" + name
    }

    /// The files cibox and the job's agent commands pass each other (`*_FILE` variables naming a path in cibox's
    /// home: a setup workflow's continuation, the test timings): not reachable from a container, so they live in the
    /// job's control folder (`/.cibox/job/NAME`), handed in at the start when cibox wrote one and taken back at the
    /// end when the job wrote one. By variable, the path on this machine.
    var handedBackFiles: [String: String] {
        request.agentEnvironment.filter { name, value in
            name.hasSuffix("_FILE") && !request.stateDirectory.isEmpty
                && Paths.isInside(value, root: request.stateDirectory)
        }
    }

    /// Copies each such file cibox wrote before the job (its test timings) into the job's control folder, where the
    /// job reads it.
    func handInFiles() throws {
        for (name, source) in handedBackFiles {
            guard let bytes = FileReader.contents(atPath: source) else { continue }
            try FileWriter.write(String(decoding: bytes, as: UTF8.self), to: hostJobFolder + "/" + name, mode: 0o644)
        }
    }

    /// Copies each handed-back file the job wrote to its place in cibox's home (never over one there, never
    /// through a link, at most 16 MiB).
    func takeBackFiles() {
        for (name, target) in handedBackFiles where access(target, F_OK) != 0 {
            let fd = open(hostJobFolder + "/" + name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= 16 << 20 else { continue }
            let data = FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
            try? Folders.make(Paths.parent(target), mode: 0o700)
            try? FileWriter.replace(String(decoding: data, as: UTF8.self), at: target, mode: 0o600)
        }
    }

    /// Whether the halt file exists.
    package var isHalted: Bool { access(hostJobFolder + "/halt", F_OK) == 0 }

    /// Whether the job's folder exists.
    package var isIntact: Bool { access(request.workDirectory, F_OK) == 0 }

    /// Kills every process of the job: its cgroup, and each container's first process (and so its pid namespace).
    package func killAll() {
        let bundles = state.withLock { state in
            state.isStopping = true
            return state.bundles
        }
        isolation.killAll()
        for bundle in bundles { bundle.kill() }
    }

    /// Ends the containers (services first), reads the usage, deletes them from runc, unmounts their roots and
    /// removes the job's folders unless they are to be kept — the primary's part once the usage is read, in the
    /// background (see ``ContainerCleanups``).
    package func tearDown() async -> ResourceUsage {
        let (bundles, logs) = state.withLock { state in
            state.isStopping = true
            return (state.bundles, state.logs)
        }
        for bundle in bundles.reversed() { bundle.stop() }
        isolation.killAll()
        for log in logs { log.finish() }
        // A cancelled job is torn down all the same: runc's commands run in a task of their own, never cancelled.
        let (runc, isolation) = (runtime.runc, isolation)
        let usage = await Task {
            for bundle in bundles.dropFirst().reversed() { _ = await bundle.remove(runc: runc) }
            return isolation.end()
        }.value
        state.withLock { $0.dockerSocket }?.remove()
        takeBackFiles()
        // The primary's deletion, its root's unmount and the folders go on beside what cibox does next.
        let (work, control, keeps) = (request.workDirectory, control, request.keepsWorkDirectory)
        ContainerCleanups.shared.add {
            if let primary = bundles.first { _ = await primary.remove(runc: runc) }
            // Never remove through a mount that is still there (it would reach the image or this machine's files).
            if !keeps, Overlay.mounts(under: control).isEmpty {
                FolderTree.remove(work)
                FolderTree.remove(control)
            }
        }
        return usage
    }
}

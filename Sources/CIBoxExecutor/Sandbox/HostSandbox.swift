// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The job runs on this machine's own shell, through its job agent (`cibox-sandbox`): in a mount namespace of its
/// own where `/tmp` is the job's and an absolute working directory is a folder of the job's (so jobs never share or
/// leave host folders), its processes in the job's cgroup, as the job's user (`run_as`) when one is set.
///
/// Folders: the job's `HOME` (`<work>`, given to the job's user), and cibox's control folder beside it
/// (`<work>.cibox`, see ``JobRunRequest/controlDirectory``): `steps/` (scripts, cibox's), `job/` (`BASH_ENV`, the
/// halt file; the job's), `tmp/` (the job's `/tmp`), `mounts/N` (folders bound at absolute working directories),
/// `scratch/` (the agent's, to make missing mount points).
package final class HostSandbox: JobSandbox {
    /// The job run.
    let request: JobRunRequest
    /// See ``JobSandbox``.
    package let view: SandboxView
    /// See ``JobSandbox``.
    package let isolation: JobIsolation
    /// See ``JobSandbox``: a helper process in the job's sandbox, as the job's user.
    package var files: any SandboxFiles {
        HelperFiles(
            sandbox: self, program: [helperExecutable], home: request.workDirectory,
            scratch: request.controlDirectory + "/files", environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
            staging: request.controlDirectory + "/staging",
            handoff: HelperCheckout.Handoff(host: view.controlDirectory, view: view.controlDirectory),
            runAs: request.runAs,
            binds: binds.withLock { $0 })
    }
    /// The `cibox` program whose `agent files` does the built-in steps' file work.
    var helperExecutable: String { request.agentExecutable ?? SandboxAgent.cibox }
    private let binds = Mutex<[AgentSetup.Bind]>([])
    /// The job agent program.
    let agentExecutable: String
    /// Says once why jobs get no mount namespace of their own here.
    let warn: @Sendable (String) -> Void
    private let agent = Mutex<AgentConnection?>(nil)

    /// Makes the host sandbox of `request`, contained by `isolation`.
    /// - Parameters:
    ///   - agentExecutable: the `cibox-sandbox` program.
    ///   - warn: told (once per process) when jobs cannot have a private `/tmp` here.
    package init(
        request: JobRunRequest, isolation: JobIsolation, agentExecutable: String,
        warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.request = request
        self.isolation = isolation
        self.agentExecutable = agentExecutable
        self.warn = warn
        let home = request.workDirectory
        view = SandboxView(
            home: home, controlDirectory: request.controlDirectory + "/job", imageHomes: JobPaths.hostImageHomes)
    }

    /// The folder holding the steps' scripts.
    var scriptsDirectory: String { request.controlDirectory + "/steps" }

    /// Makes the job's folders, starts its agent with the job's mount namespace, installs the agent commands, and
    /// gives the job's folders to its user.
    package func prepare(workingDirectory: String) async throws(ExecutorError) {
        let control = request.controlDirectory
        let binds = mounts(workingDirectory: workingDirectory)
        do {
            // The folder of job folders may be passed through by the job's user, never listed.
            try Folders.make(Paths.parent(request.workDirectory), mode: 0o711)
            try Folders.make(request.workDirectory, mode: 0o700)
            try Folders.make(control, mode: 0o711)
            try Folders.make(scriptsDirectory, mode: 0o755)
            try Folders.make(view.controlDirectory, mode: 0o700)
            try Folders.make(control + "/scratch", mode: 0o700)
            try Folders.make(control + "/files", mode: 0o700)
            try Folders.make(control + "/tmp", mode: 0o777)
            chmod(control + "/tmp", 0o1777)
            for bind in binds { try Folders.make(bind.source, mode: 0o755) }
            _ = FileManager.default.createFile(atPath: view.bashEnv, contents: nil)
            if let agent = request.agentExecutable {
                try AgentCommands.install(calling: agent, stateDirectory: request.agentStateDirectory)
            }
            if let user = request.runAs {
                for folder in [request.workDirectory, view.controlDirectory] + binds.map(\.source) {
                    try FileOwnership.giveAway(folder, to: user)
                }
            }
        } catch {
            throw ExecutorError(
                .workspace,
                "Cannot prepare the job's folders under '\(request.workDirectory)': \(error.localizedDescription)",
                cause: error)
        }
        self.binds.withLock { $0 = binds }
        try await startAgent(binds: binds, workingDirectory: workingDirectory)
    }

    /// The binds the job needs: its working directory (and the steps' own) when absolute and outside its home and
    /// `/tmp`, each backed by a folder of the job's.
    func mounts(workingDirectory: String) -> [AgentSetup.Bind] {
        var wanted = [workingDirectory]
        for step in request.spec.steps {
            if case .run(let action) = step.action, let directory = action.workingDirectory {
                wanted.append(view.resolve(directory, relativeTo: workingDirectory))
            }
        }
        var binds: [AgentSetup.Bind] = []
        for target in wanted.sorted() {
            let covered =
                [request.workDirectory, request.controlDirectory, "/tmp"] + binds.map(\.target)
            if covered.contains(where: { Paths.isInside(target, root: $0) }) { continue }
            binds.append(AgentSetup.Bind(source: request.controlDirectory + "/mounts/\(binds.count)", target: target))
        }
        return binds
    }

    private func startAgent(binds: [AgentSetup.Bind], workingDirectory: String) async throws(ExecutorError) {
        var setup = AgentSetup()
        setup.newMountNamespace = true
        setup.tmpSource = request.controlDirectory + "/tmp"
        setup.scratch = request.controlDirectory + "/scratch"
        setup.binds = binds
        setup.procsFiles = isolation.procsFiles
        // A state folder under /tmp (tests, a throwaway home) stays visible: the job's folders, the agent
        // commands, and the cibox program they call.
        setup.keep =
            ([request.workDirectory, request.controlDirectory, request.agentStateDirectory + "/bin"]
            + [Paths.parent(helperExecutable), request.storageDirectory].compactMap { $0 })
            .filter { access($0, F_OK) == 0 }
        setup.guardMode = isolation.agentGuard
        do {
            agent.withLock { $0 = nil }
            let connection = try await AgentConnection.start(executable: agentExecutable, setup: setup)
            agent.withLock { $0 = connection }
        } catch  where error.code == .workspace && getuid() != 0 {
            // Without privileges and without user namespaces, jobs share this machine's /tmp and folders.
            warn(
                "jobs cannot have a mount namespace of their own here (\(error.message)): they share this machine's "
                    + "/tmp, and an absolute working_directory is used as written")
            var shared = setup
            shared.newMountNamespace = false
            shared.tmpSource = nil
            let connection = try await AgentConnection.start(executable: agentExecutable, setup: shared)
            agent.withLock { $0 = connection }
        }
    }

    /// Starts `command` through the job's agent: a new session, the job's cgroups joined before exec, the job's
    /// user, its working folder made as that user.
    package func spawn(_ command: SandboxCommand) async throws(ExecutorError) -> any SandboxProcess {
        guard let agent = agent.withLock({ $0 }) else {
            throw ExecutorError(.spawnFailed, "The job's sandbox is not ready: its agent did not start.")
        }
        let program = try Self.locate(command.program, path: command.environment["PATH"] ?? "")
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        let process = try await agent.spawn(
            AgentSpawn(
                user: request.runAs.map { ($0.uid, $0.gid, Self.groups(of: $0.uid, primary: $0.gid)) },
                directory: command.directory, makesDirectory: true, arguments: [program] + command.arguments,
                environment: command.environment,
                descriptors: [command.input ?? devNull, command.output, command.errorOutput ?? command.output]))
        isolation.didStart(process.agentPID)
        return process
    }

    /// Writes `contents` as a script of cibox's own (the job can read it, never change it).
    package func writeControlFile(named name: String, contents: String) throws(ExecutorError) -> String {
        let path = scriptsDirectory + "/" + name
        do {
            try FileWriter.write(contents, to: path)
        } catch {
            throw ExecutorError(.workspace, "Cannot write '\(path)': \(error.localizedDescription)", cause: error)
        }
        return path
    }

    /// Whether the halt file exists.
    package var isHalted: Bool { access(view.haltFile, F_OK) == 0 }

    /// Whether the job's folder exists.
    package var isIntact: Bool { access(request.workDirectory, F_OK) == 0 }

    /// Kills the job's cgroup (or its process groups).
    package func killAll() {
        isolation.killAll()
    }

    /// Ends the agent (what is left is killed, the namespace and its mounts go with it), reads the usage, and
    /// removes the job's folders unless they are to be kept.
    package func tearDown() async -> ResourceUsage {
        agent.withLock { $0 }?.shutdown()
        let usage = isolation.end()
        if !request.keepsWorkDirectory {
            FolderTree.remove(request.workDirectory)
            FolderTree.remove(request.controlDirectory)
        }
        return usage
    }

    /// The program's path: `program` itself when it has a slash, else the first executable of that name on `path`.
    /// - Throws: ``ExecutorError`` `spawnFailed` when it is empty or not on `path`.
    package static func locate(_ program: String, path: String) throws(ExecutorError) -> String {
        guard !program.isEmpty else {
            throw ExecutorError(.spawnFailed, "The step's shell is empty. Set `shell:` to a program such as /bin/bash.")
        }
        if program.contains("/") { return program }
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ExecutorError(
            .spawnFailed,
            "The step's shell '\(program)' is not on PATH. Install it or set `shell:` to an absolute path."
        )
    }

    /// The supplementary groups of user `uid` (from the group database), `primary` first.
    static func groups(of uid: UInt32, primary: UInt32) -> [UInt32] {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return [primary] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: 64)
        if getgrouplist(name, primary, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, primary, &groups, &count)
        }
        return Array(groups.prefix(Int(max(count, 0))))
    }
}

/// Gives every job run the host sandbox.
package struct HostSandboxProvider: SandboxProvider {
    /// The job agent program.
    package let agentExecutable: String
    private let warning: WarningOnce

    /// Makes a provider.
    /// - Parameters:
    ///   - agentExecutable: the `cibox-sandbox` program (by default the one installed beside this program).
    ///   - warn: told once when jobs cannot have a private `/tmp` here.
    package init(
        agentExecutable: String = SandboxAgent.executable, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.agentExecutable = agentExecutable
        self.warning = WarningOnce(warn)
    }

    /// The host sandbox of `request`.
    package func makeSandbox(for request: JobRunRequest, isolation: JobIsolation) async throws(ExecutorError)
        -> any JobSandbox
    {
        let warning = self.warning
        return HostSandbox(request: request, isolation: isolation, agentExecutable: agentExecutable) {
            warning.say($0)
        }
    }
}

/// Where the job agent program is.
package enum SandboxAgent {
    /// `$CIBOX_SANDBOX`, else `cibox-sandbox` beside this program, else `/usr/lib/cibox/cibox-sandbox`.
    package static let executable: String = {
        if let path = getenv("CIBOX_SANDBOX").map({ String(cString: $0) }), !path.isEmpty { return path }
        if let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let beside = Paths.parent(own) + "/cibox-sandbox"
            if access(beside, X_OK) == 0 { return beside }
        }
        return "/usr/lib/cibox/cibox-sandbox"
    }()

    /// The `cibox` program beside this one (in tests, the one built beside the test bundle), else `/usr/bin/cibox`.
    package static let cibox: String = {
        if let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            if Paths.lastComponent(own) == "cibox" { return own }
            let beside = Paths.parent(own) + "/cibox"
            if access(beside, X_OK) == 0 { return beside }
        }
        return "/usr/bin/cibox"
    }()
}

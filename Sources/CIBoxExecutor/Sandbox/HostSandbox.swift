// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The job runs on this machine's own shell: its home is its own folder (`$CIBOX_HOME/work/<job>`), its processes
/// are started by the C shim in a session of their own, inside the job's cgroup, as the job's user (`run_as`) when
/// one is set.
package final class HostSandbox: JobSandbox {
    /// The job run.
    let request: JobRunRequest
    /// See ``JobSandbox``.
    package let view: SandboxView
    /// See ``JobSandbox``.
    package let isolation: JobIsolation
    /// See ``JobSandbox``.
    package let files: any SandboxFiles

    /// Makes the host sandbox of `request`, contained by `isolation`.
    package init(request: JobRunRequest, isolation: JobIsolation) {
        self.request = request
        self.isolation = isolation
        let home = request.workDirectory
        view = SandboxView(home: home, controlDirectory: home + "/.cibox", imageHomes: JobPaths.hostImageHomes)
        files = HostFiles(home: home, runAs: request.runAs)
    }

    /// Makes the job's folder, its control folder, the working directory and `BASH_ENV`, installs the agent
    /// commands, and gives the folder to the job's user.
    package func prepare(workingDirectory: String) async throws(ExecutorError) {
        do {
            try Folders.make(view.controlDirectory)
            try Folders.make(workingDirectory)
            _ = FileManager.default.createFile(atPath: view.bashEnv, contents: nil)
            if let agent = request.agentExecutable {
                try AgentCommands.install(calling: agent, stateDirectory: request.agentStateDirectory)
            }
            if let user = request.runAs { try HostFiles.giveAway(request.workDirectory, to: user) }
        } catch {
            throw ExecutorError(
                .workspace,
                "Cannot prepare the job's folders under '\(request.workDirectory)': \(error.localizedDescription)",
                cause: error)
        }
    }

    /// Starts `command` through the C shim: a new session, the job's cgroups joined before exec, the job's user.
    package func spawn(_ command: SandboxCommand) throws(ExecutorError) -> any SandboxProcess {
        let program = try Self.locate(command.program, path: command.environment["PATH"] ?? "")
        do {
            try Folders.make(command.directory)
        } catch {
            throw ExecutorError(
                .workspace, "Cannot make the folder '\(command.directory)': \(error.localizedDescription)",
                cause: error)
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        let spawnRequest = SpawnRequest(
            executable: program, arguments: command.arguments, environment: command.environment,
            directory: command.directory, stdin: devNull, stdout: command.output, stderr: command.output,
            cgroupProcsFiles: isolation.procsFiles, user: request.runAs
        )
        let pid = try ChildProcesses.spawnMonitored { () throws(ExecutorError) -> Int32 in
            try ProcessSpawner.spawn(spawnRequest)
        }
        isolation.didStart(pid)
        return HostProcess(pid: pid)
    }

    /// Writes `contents` into the job's control folder.
    package func writeControlFile(named name: String, contents: String) throws(ExecutorError) -> String {
        let path = view.controlDirectory + "/" + name
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

    /// Kills what is left, reads the usage, and removes the job's folder unless it is to be kept.
    package func tearDown() async -> ResourceUsage {
        let usage = isolation.end()
        if !request.keepsWorkDirectory { FolderTree.remove(request.workDirectory) }
        return usage
    }

    /// The program's path: `program` itself when it has a slash, else the first executable of that name on `path`.
    /// - Throws: ``ExecutorError`` `spawnFailed` when it is empty or not on `path`.
    static func locate(_ program: String, path: String) throws(ExecutorError) -> String {
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
}

/// Gives every job run the host sandbox.
package struct HostSandboxProvider: SandboxProvider {
    /// Makes a provider.
    package init() {}

    /// The host sandbox of `request`.
    package func makeSandbox(for request: JobRunRequest, isolation: JobIsolation) async throws(ExecutorError)
        -> any JobSandbox
    {
        HostSandbox(request: request, isolation: isolation)
    }
}

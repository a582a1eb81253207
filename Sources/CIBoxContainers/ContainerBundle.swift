// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One container of a job: its runtime bundle (`config.json`, `rootfs` — an overlay on the image's root —, the
/// overlay's `upper` and `work`, runc's output), its first process (cibox's agent, talking over a socket) and what
/// must be undone at the end. Holds the image root's lock shared while it runs, so removing the image waits.
final class ContainerBundle: Sendable {
    /// runc's id of the container.
    let id: String
    /// The bundle folder.
    let folder: String
    /// The image it runs.
    let image: ContainerImage
    private let state = Mutex(State())

    private struct State {
        var rootLock: FileLock.Holder?
        var mounted = false
        var initPID: Int32?
        var agent: AgentConnection?
    }

    init(id: String, folder: String, image: ContainerImage) {
        self.id = id
        self.folder = folder
        self.image = image
    }

    /// The overlay mount point: the container's `/` as cibox reaches it.
    var rootfs: String { folder + "/rootfs" }
    private var overlay: Overlay {
        Overlay(lower: image.prepared.root, upper: folder + "/upper", work: folder + "/work", target: rootfs)
    }

    /// The first process's pid (on this machine), once started.
    var initPID: Int32? { state.withLock { $0.initPID } }
    /// Its agent, once started.
    var agent: AgentConnection? { state.withLock { $0.agent } }

    /// Mounts the root, writes `config` and starts the container with runc; returns once its agent is ready.
    /// - Throws: ``ExecutorError`` `workspace` or `spawnFailed` with runc's own message.
    func start(_ config: RuntimeConfig, runc: Runc) async throws(ExecutorError) {
        do {
            let lock = try FileLock.holdShared(path: image.prepared.root + ".lock")
            state.withLock { $0.rootLock = lock }
        } catch {
            throw ExecutorError(.workspace, "Cannot lock the image root '\(image.prepared.root)': \(error).")
        }
        guard access(image.prepared.root, F_OK) == 0 else {
            throw ExecutorError(
                .workspace, "The image '\(image.reference)' was removed while the job started. Load it again.")
        }
        try overlay.mount()
        state.withLock { $0.mounted = true }
        let configPath = folder + "/config.json"
        do {
            try config.json().write(to: URL(fileURLWithPath: configPath))
            try Folders.make(Paths.parent(runc.stateFolder), mode: 0o700)
        } catch {
            throw ExecutorError(.workspace, "Cannot write '\(configPath)': \(error.localizedDescription)", cause: error)
        }
        let logPath = folder + "/runc.log"
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard log >= 0 else {
            throw ExecutorError(.workspace, "Cannot write '\(logPath)': \(String(cString: strerror(errno))).")
        }
        defer { close(log) }
        let pidFile = folder + "/init.pid"
        do {
            let agent = try await AgentConnection.launch(
                runc.runArguments(id: id, bundle: folder, pidFile: pidFile), output: log, setup: AgentSetup()
            ) { () throws(ExecutorError) -> Int32 in
                let text = String(decoding: FileReader.contents(atPath: pidFile) ?? [], as: UTF8.self)
                guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
                    throw ExecutorError(.spawnFailed, "runc wrote no pid to '\(pidFile)'.")
                }
                state.withLock { $0.initPID = pid }
                return pid
            }
            state.withLock { $0.agent = agent }
        } catch {
            let said = Self.runcMessage(String(decoding: FileReader.contents(atPath: logPath) ?? [], as: UTF8.self))
            throw ExecutorError(
                (error as ExecutorError).code,
                "Cannot start the container of '\(image.entry.image)': \(said ?? error.message)", cause: error)
        }
    }

    /// Kills the container's first process (its pid namespace, so everything in the container, dies with it).
    func kill() {
        if let pid = initPID { Glibc.kill(pid, SIGKILL) }
    }

    /// Ends the agent (it kills what is left and exits; the container goes with it).
    func stop() {
        let agent = state.withLock { state in
            defer { state.agent = nil }
            return state.agent
        }
        if let agent {
            agent.shutdown()
        } else {
            kill()
        }
    }

    /// Deletes the container from runc's state (and the cgroups runc made), unmounts its root and lets the image go.
    /// - Returns: what went wrong, if anything (for the job's log; nothing is retried).
    func remove(runc: Runc) async -> String? {
        let failure = await runc.delete(id)
        let mounted = state.withLock { $0.mounted }
        if mounted { overlay.unmount() }
        state.withLock { state in
            state.mounted = false
            state.rootLock = nil
        }
        return failure
    }

    /// The `msg="…"` of runc's last error line, else its last line.
    static func runcMessage(_ log: String) -> String? {
        let lines = log.split(whereSeparator: \.isNewline).map(String.init)
        guard let last = lines.last(where: { $0.contains("level=error") }) ?? lines.last else { return nil }
        if let start = last.range(of: "msg=\"") {
            var message = String(last[start.upperBound...])
            if message.hasSuffix("\"") { message.removeLast() }
            return "runc: " + message.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return "runc: " + last
    }
}

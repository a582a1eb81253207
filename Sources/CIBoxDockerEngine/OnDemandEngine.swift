// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A `machine:` job's engine: its socket is there from the job's start, and the engine starts when a client first
/// connects (most machine jobs never use one, and a start costs a fraction of a second). Connections that come
/// meanwhile wait for it; if it cannot start, each is answered with why.
final class OnDemandEngine: DockerEngine {
    /// The job's socket, and Podman's beside it.
    let socket: String
    let upstream: String
    /// See ``DockerEngine``.
    let commandsFolder: String?
    /// Whether the engine shares this machine's network.
    let hostNetwork: Bool
    private let launch: @Sendable () async throws(ExecutorError) -> PodmanEngine
    private let state = Mutex(State())

    private struct State {
        var proxy: EngineProxy?
        var start: Task<Result<PodmanEngine, ExecutorError>, Never>?
        var isStopped = false
    }

    init(
        socket: String, upstream: String, commandsFolder: String?, hostNetwork: Bool,
        launch: @escaping @Sendable () async throws(ExecutorError) -> PodmanEngine
    ) {
        self.socket = socket
        self.upstream = upstream
        self.commandsFolder = commandsFolder
        self.hostNetwork = hostNetwork
        self.launch = launch
    }

    /// See ``DockerEngine``.
    var environment: [String: String] { PodmanEngine.environment(socket: socket) }

    /// Listens on the job's socket, which the job's user may reach.
    func open(jobUser: (uid: UInt32, gid: UInt32)?) throws {
        let proxy = try EngineProxy(socket: socket, upstream: upstream, hostNetwork: hostNetwork) { [self] in
            self.waitForEngine()
        }
        state.withLock { $0.proxy = proxy }
        if let jobUser { chown(socket, jobUser.uid, jobUser.gid) }
        chmod(socket, 0o660)
    }

    /// Starts the engine on the first call; blocks the calling thread (a connection's own) until it runs. Returns
    /// why it does not, or nil.
    private func waitForEngine() -> String? {
        let launch = self.launch
        let start = state.withLock { state -> Task<Result<PodmanEngine, ExecutorError>, Never>? in
            if state.isStopped { return nil }
            if state.start == nil {
                state.start = Task { () -> Result<PodmanEngine, ExecutorError> in
                    do throws(ExecutorError) {
                        return .success(try await launch())
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return state.start
        }
        guard let start else { return "The job is ending: its Docker engine does not start." }
        let outcome = Mutex<Result<PodmanEngine, ExecutorError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result = await start.value
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        if case .failure(let error) = outcome.withLock({ $0 }) { return error.message }
        return nil
    }

    /// See ``DockerEngine``: the socket closes; an engine that started (or is starting) is stopped once it is up.
    func stop() async {
        let (proxy, start) = state.withLock { state in
            state.isStopped = true
            return (state.proxy, state.start)
        }
        proxy?.stop()
        if let start, case .success(let engine) = await start.value { await engine.stop() }
        FolderTree.remove(Paths.parent(socket))
    }
}

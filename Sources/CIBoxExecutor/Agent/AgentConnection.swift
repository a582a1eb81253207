// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
internal import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// cibox's end of one job agent (`cibox-sandbox`): starts it, makes its setup, asks it to start processes and
/// signal them, and routes what it reports (processes started, failed, exited) to whoever waits.
///
/// Lifecycle: ``start(executable:setup:)`` once; then ``spawn(_:)`` and ``signal(_:_:)`` from any thread;
/// ``shutdown()`` once at the end (the agent kills what is left and exits). If cibox dies instead, the agent's end
/// of the socket reads end of file and its guard kills the job. One reader thread per agent: a blocking read never
/// occupies the cooperative pool.
package final class AgentConnection: Sendable {
    /// The socket; writes are serialised by `writing`.
    private let socket: Int32
    /// Held to write to the socket, to shut it down or to close it; true once it is closed. The reader closes the
    /// socket at end of file, and its number may then be reused at once by another job's socket: nothing may write
    /// to it or shut it down after that.
    private let writing = Mutex(false)
    /// The agent's pid (a child of cibox).
    package let pid: Int32
    private let state = Mutex(State())

    private struct State {
        var nextID: Int64 = 1
        var pendingSpawns: [Int64: CheckedContinuation<Int32, any Error>] = [:]
        var processes: [Int64: AgentProcess] = [:]
        var setupReply: CheckedContinuation<Void, any Error>?
        var isClosed = false
    }

    private init(socket: Int32, pid: Int32) {
        self.socket = socket
        self.pid = pid
    }

    /// Starts the agent at `executable` (as cibox's user, in a session of its own, outside the job's cgroup), makes
    /// `setup` and returns once it is ready.
    /// - Throws: ``ExecutorError`` `spawnFailed` when the agent cannot start, `workspace` when its setup fails
    ///   (the message names the stage, the path and the system's reason).
    static func start(executable: String, setup: AgentSetup) async throws(ExecutorError) -> AgentConnection {
        var fds: [Int32] = [-1, -1]
        guard cibox_socketpair(&fds) == 0 else {
            throw ExecutorError(
                .spawnFailed, "Cannot make the job agent's socket: \(String(cString: strerror(errno))).")
        }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer {
            close(fds[1])
            if devNull >= 0 { close(devNull) }
        }
        let pid: Int32
        do {
            pid = try ChildProcesses.spawnMonitored { () throws(ExecutorError) -> Int32 in
                try ProcessSpawner.spawn(
                    SpawnRequest(
                        executable: executable, arguments: ["--control", "0"], environment: [:], directory: "/",
                        stdin: fds[1], stdout: devNull, stderr: devNull))
            }
        } catch {
            close(fds[0])
            throw ExecutorError(
                .spawnFailed,
                "Cannot start the job agent '\(executable)': \(error.message) It is installed beside cibox; "
                    + "reinstall cibox if it is missing.", cause: error)
        }
        let connection = AgentConnection(socket: fds[0], pid: pid)
        connection.startReading()
        try await connection.sendSetup(setup)
        return connection
    }

    /// Starts an agent through `launcher` (an OCI runtime's `run --detach --preserve-fds 1`), which gets the agent's
    /// end of the socket as descriptor 3 and must have exited once the agent runs; `agentPID` then names the agent
    /// (from the runtime's pid file). cibox is the agent's subreaper, so it waits for it as for its own child.
    /// - Parameters:
    ///   - launcher: the program and its arguments.
    ///   - output: where the launcher's output and errors go (a file of cibox's).
    /// - Throws: ``ExecutorError`` `spawnFailed` when the launcher cannot start or fails (the caller reads `output`
    ///   for why), `workspace` when the agent's setup fails.
    package static func launch(
        _ launcher: [String], output: Int32, setup: AgentSetup,
        agentPID: () throws(ExecutorError) -> Int32
    ) async throws(ExecutorError) -> AgentConnection {
        var fds: [Int32] = [-1, -1]
        guard cibox_socketpair(&fds) == 0 else {
            throw ExecutorError(
                .spawnFailed, "Cannot make the job agent's socket: \(String(cString: strerror(errno))).")
        }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        var launched = false
        defer {
            close(fds[1])
            if devNull >= 0 { close(devNull) }
            if !launched { close(fds[0]) }
        }
        let launcherPID = try ChildProcesses.spawnMonitored { () throws(ExecutorError) -> Int32 in
            try ProcessSpawner.spawn(
                SpawnRequest(
                    executable: launcher[0], arguments: Array(launcher.dropFirst()),
                    environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], directory: "/", stdin: devNull,
                    stdout: output, stderr: output, extraDescriptor: fds[1],
                    // The runtime makes the container's missing mount points: readable by the job's user.
                    fileMask: 0o022))
        }
        var status: Int32 = 0
        while cibox_waitpid(launcherPID, &status, 0) < 0, errno == EINTR {}
        ChildProcesses.unregister(launcherPID)
        guard cibox_exit_code(status) == 0 else {
            throw ExecutorError(
                .spawnFailed, "'\(launcher[0])' ended with status \(cibox_exit_code(status)).")
        }
        let pid = try agentPID()
        ChildProcesses.watch(pid)
        launched = true
        let connection = AgentConnection(socket: fds[0], pid: pid)
        connection.startReading()
        try await connection.sendSetup(setup)
        return connection
    }

    private func sendSetup(_ setup: AgentSetup) async throws(ExecutorError) {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let closed = state.withLock { state in
                    state.setupReply = continuation
                    return state.isClosed
                }
                if closed || !send(AgentMessage.setup, setup.payload) {
                    takeSetupReply()?.resume(throwing: ExecutorError(.workspace, "The job agent went away."))
                }
            }
        } catch let error as ExecutorError {
            throw error
        } catch {
            throw ExecutorError(.workspace, "The job agent's setup failed: \(error)", cause: error)
        }
    }

    private func takeSetupReply() -> CheckedContinuation<Void, any Error>? {
        state.withLock { state in
            defer { state.setupReply = nil }
            return state.setupReply
        }
    }

    /// Asks the agent to start a process; returns it once started.
    /// - Throws: ``ExecutorError`` `spawnFailed` naming the program, the stage and the system's reason.
    package func spawn(_ request: AgentSpawn) async throws(ExecutorError) -> AgentProcess {
        let process = AgentProcess(connection: self)
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.processes[state.nextID] = process
            return state.nextID
        }
        process.id = id
        do {
            let pid = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Int32, any Error>) in
                let closed = state.withLock { state in
                    state.pendingSpawns[id] = continuation
                    return state.isClosed
                }
                if closed || !send(AgentMessage.spawn, request.payload(id: id), fds: request.descriptors) {
                    let pending = state.withLock { $0.pendingSpawns.removeValue(forKey: id) }
                    pending?.resume(throwing: ExecutorError(.spawnFailed, "The job agent went away."))
                }
            }
            process.agentPID = pid
            return process
        } catch {
            _ = state.withLock { $0.processes.removeValue(forKey: id) }
            let reason = (error as? ExecutorError)?.message ?? "\(error)"
            throw ExecutorError(
                .spawnFailed, "Cannot start '\(request.arguments.first ?? "")' in '\(request.directory)': \(reason)",
                cause: error)
        }
    }

    /// Sends `signal` to process `id`'s group and to it.
    func signal(_ id: Int64, _ signal: Int32) {
        var payload = AgentPayload()
        payload.int(id)
        payload.int(Int64(signal))
        _ = send(AgentMessage.signal, payload.bytes)
    }

    /// Asks the agent to kill what is left and exit, waits for it, and closes the socket.
    package func shutdown() {
        _ = send(AgentMessage.shutdown, [])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ChildProcesses.unregister(pid)
        // The reader thread ends at end of file and closes the socket; closing here would race it, so the socket is
        // shut down instead, unless the reader closed it already.
        writing.withLock { isClosed in
            if !isClosed { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    /// Sends one frame; false when the agent is gone.
    private func send(_ type: UInt32, _ payload: [UInt8], fds: [Int32] = []) -> Bool {
        var frame: [UInt8] = []
        for value in [type, UInt32(payload.count), UInt32(fds.count)] {
            withUnsafeBytes(of: value.littleEndian) { frame.append(contentsOf: $0) }
        }
        frame += payload
        return writing.withLock { isClosed in
            guard !isClosed else { return false }
            return
                frame.withUnsafeBytes { bytes in
                    fds.withUnsafeBufferPointer { descriptors in
                        cibox_send_with_fds(
                            socket, bytes.baseAddress, bytes.count, descriptors.baseAddress, Int32(descriptors.count))
                            == 0
                    }
                }
        }
    }

    // MARK: Reading

    private func startReading() {
        let thread = Thread { [self] in
            readLoop()
        }
        thread.stackSize = 128 * 1024
        thread.start()
    }

    private func readLoop() {
        while let (type, payload) = readFrame() {
            handle(type, AgentPayloadReader(payload))
        }
        closeAll()
    }

    private func readFrame() -> (UInt32, [UInt8])? {
        var header = [UInt8](repeating: 0, count: 12)
        guard readFully(&header) else { return nil }
        let words = (0..<3).map { index in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(header[index * 4 + $1]) << (8 * $1) }
        }
        guard words[1] <= 64 << 20 else { return nil }
        var payload = [UInt8](repeating: 0, count: Int(words[1]))
        guard readFully(&payload) else { return nil }
        return (words[0], payload)
    }

    private func readFully(_ buffer: inout [UInt8]) -> Bool {
        var done = 0
        while done < buffer.count {
            let count = buffer.withUnsafeMutableBytes {
                read(socket, $0.baseAddress.map { $0 + done }, $0.count - done)
            }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return false }
            done += count
        }
        return true
    }

    private func handle(_ type: UInt32, _ reader: AgentPayloadReader) {
        var reader = reader
        switch type {
        case AgentMessage.ready:
            takeSetupReply()?.resume()
        case AgentMessage.setupFailed:
            let stage = reader.string()
            let error = Int32(reader.int())
            let detail = reader.string()
            takeSetupReply()?.resume(
                throwing: ExecutorError(
                    .workspace,
                    "The job's sandbox could not be made: \(stage) '\(detail)' failed: \(String(cString: strerror(error)))."
                ))
        case AgentMessage.spawned:
            let id = reader.int()
            let pid = Int32(reader.int())
            state.withLock { $0.pendingSpawns.removeValue(forKey: id) }?.resume(returning: pid)
        case AgentMessage.spawnFailed:
            let id = reader.int()
            let stage = reader.string()
            let error = Int32(reader.int())
            _ = state.withLock { $0.processes.removeValue(forKey: id) }
            state.withLock { $0.pendingSpawns.removeValue(forKey: id) }?.resume(
                throwing: ExecutorError(.spawnFailed, "\(stage) failed: \(String(cString: strerror(error)))."))
        case AgentMessage.exited:
            let id = reader.int()
            let status = Int32(truncatingIfNeeded: reader.int())
            let cpuMicroseconds = reader.int()
            let peakKiB = reader.int()
            let process = state.withLock { $0.processes.removeValue(forKey: id) }
            process?.didExit(
                ProcessExit(
                    exitCode: Int(cibox_exit_code(status)), cpuSeconds: Double(cpuMicroseconds) / 1e6,
                    peakMemoryBytes: peakKiB * 1024))
        default:
            break
        }
    }

    /// The agent is gone: every waiter hears it, every process it ran counts as killed.
    private func closeAll() {
        let (setup, spawns, processes) = state.withLock { state in
            state.isClosed = true
            defer {
                state.setupReply = nil
                state.pendingSpawns = [:]
                state.processes = [:]
            }
            return (state.setupReply, state.pendingSpawns, state.processes)
        }
        setup?.resume(throwing: ExecutorError(.workspace, "The job agent ended before its setup was done."))
        for continuation in spawns.values {
            continuation.resume(throwing: ExecutorError(.spawnFailed, "the job agent ended."))
        }
        for process in processes.values { process.didExit(ProcessExit(exitCode: 128 + Int(SIGKILL))) }
        writing.withLock { isClosed in
            isClosed = true
            close(socket)
        }
    }
}

/// A process to start through the agent.
package struct AgentSpawn {
    /// The user, the primary group and the supplementary groups to run as; nil keeps the agent's (root).
    package var user: (uid: UInt32, gid: UInt32, groups: [UInt32])?
    /// The working folder, in the job's view.
    package var directory: String
    /// Whether the folder is made (as the job's user) when missing.
    package var makesDirectory: Bool
    /// The program and its arguments (`argv`).
    package var arguments: [String]
    /// The whole environment.
    package var environment: [String: String]
    /// Standard input, output and error.
    package var descriptors: [Int32]

    /// Makes a request.
    package init(
        user: (uid: UInt32, gid: UInt32, groups: [UInt32])?, directory: String, makesDirectory: Bool,
        arguments: [String], environment: [String: String], descriptors: [Int32]
    ) {
        self.user = user
        self.directory = directory
        self.makesDirectory = makesDirectory
        self.arguments = arguments
        self.environment = environment
        self.descriptors = descriptors
    }

    func payload(id: Int64) -> [UInt8] {
        var payload = AgentPayload()
        payload.int(id)
        payload.int(user.map { Int64($0.uid) } ?? -1)
        payload.int(user.map { Int64($0.gid) } ?? -1)
        let groups = user?.groups ?? []
        payload.count(groups.count)
        for group in groups { payload.int(Int64(group)) }
        payload.string(directory)
        payload.int(makesDirectory ? AgentMessage.makeDirectory : 0)
        payload.strings(arguments)
        payload.strings(environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        return payload.bytes
    }
}

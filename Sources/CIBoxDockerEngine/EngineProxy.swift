// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The job's side of its engine's socket: cibox passes every request to Podman's socket and every answer back, byte
/// for byte, except one. Podman 4.3's Docker API answers `POST /containers/ID/wait?condition=removed` (what
/// `docker run --rm` asks) with exit code 0 whatever the container did, and polls without pause meanwhile (a core
/// busy, and at times no answer at all); `condition=next-exit` works. So a wait for a container that has not ended
/// yet is asked with `next-exit`, and the container still goes away (`--rm` is Podman's to do when it exits).
///
/// HTTP/1.1 is followed far enough to find each request on a kept-alive connection: heads, bodies by
/// `Content-Length` or chunks, answers likewise or to the end, and `101 Switching Protocols` (attach, exec) turns the
/// connection into a plain two-way pipe. One thread per connection (a job opens a few at a time).
final class EngineProxy: Sendable {
    /// The socket the job connects to.
    let socket: String
    /// Podman's.
    let upstream: String
    private let listener: Int32
    /// Whether the socket's file is the proxy's own (else the sandbox's).
    private let ownsPath: Bool
    private let stopped = Mutex(false)
    private let waits: EngineWaits
    private let gate: (@Sendable () -> String?)?
    private let hostNetwork: Bool

    /// Listens on `socket` (removed first when there) for connections to pass to `upstream`; or, given `bound` (a
    /// socket bound at `socket` by the job's sandbox, which keeps it), listens on that one.
    /// - Throws: `POSIXError` when the socket cannot be made.
    /// - Parameter gate: asked on each new connection before it is passed on, blocking until the engine is up;
    ///   returns why it is not (the client is answered `500` with that message), or nil.
    /// - Parameter hostNetwork: whether the engine shares this machine's network (see ``EngineRewrites``).
    init(
        socket: String, upstream: String, bound: Int32? = nil, hostNetwork: Bool = false,
        gate: (@Sendable () -> String?)? = nil
    ) throws {
        self.socket = socket
        self.upstream = upstream
        self.hostNetwork = hostNetwork
        self.gate = gate
        ownsPath = bound == nil
        let fd: Int32
        if let bound {
            fd = fcntl(bound, F_DUPFD_CLOEXEC, 0)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } else {
            unlink(socket)
            fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            var address = Self.address(socket)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw POSIXError(.init(rawValue: code) ?? .EIO)
            }
        }
        guard listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        listener = fd
        waits = EngineWaits(upstream: upstream)
        let proxy = self
        Thread.detachNewThread { proxy.acceptLoop() }
    }

    /// Stops accepting; connections in flight end with the engine.
    func stop() {
        stopped.withLock { $0 = true }
        waits.stop()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        if ownsPath { unlink(socket) }
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let (upstream, waits, gate, hostNetwork) = (self.upstream, self.waits, self.gate, self.hostNetwork)
            Thread.detachNewThread {
                if let refused = gate?() {
                    Self.answer(client, status: "500 Internal Server Error", message: refused)
                    close(client)
                    return
                }
                ProxyConnection(client: client, upstreamPath: upstream, waits: waits, hostNetwork: hostNetwork).run()
            }
        }
    }

    /// Answers `client` with `status` and the Docker API's error object (`{"message": …}`), the connection closed.
    static func answer(_ client: Int32, status: String, message: String) {
        let body = (try? JSONSerialization.data(withJSONObject: ["message": message])).map { Array($0) } ?? []
        let head = Array(
            ("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                + "Connection: close\r\n\r\n").utf8)
        _ = (head + body).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }

    /// A `sockaddr_un` for `path`.
    static func address(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// A connection to the socket at `path`, or -1.
    static func connect(_ path: String) -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = address(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return -1
        }
        return fd
    }
}

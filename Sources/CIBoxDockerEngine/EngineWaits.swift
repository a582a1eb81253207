// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Container waits answered by cibox rather than by Podman 4.3, whose compat wait loses `--rm` exit codes, keeps a
/// core busy, and with `next-exit` can miss a container that ends at once. cibox polls the container's state
/// (`GET /containers/ID/json`) and answers `{"StatusCode": N}` when it has ended. `AutoRemove` is taken out of
/// creates and done here instead: right after a waiter got its answer, or, for a detached container nobody waits
/// for, by a watcher once it ended.
final class EngineWaits: Sendable {
    let upstream: String
    /// Containers created with `AutoRemove`, and how many waiters each has now.
    private let autoRemove = Mutex<[String: Int]>([:])
    private let stopped = Mutex(false)

    init(upstream: String) {
        self.upstream = upstream
        Thread.detachNewThread { [self] in watch() }
    }

    func stop() {
        stopped.withLock { $0 = true }
    }

    /// Whether a wait of Podman's own API (`…/libpod/containers/ID/wait?condition=…`) waits for the container's end
    /// (no condition, or only `stopped`, `exited`, `removed`); others (`running`, …) pass to Podman.
    static func waitsForExit(_ target: String) -> Bool {
        let query = target.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
        let conditions = query.split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.first == "condition" ? parts.dropFirst().first.map(String.init) ?? "" : nil
        }
        return conditions.allSatisfy { ["stopped", "exited", "removed"].contains($0) }
    }

    /// Remembers that container `id` was created with `AutoRemove`.
    func created(_ id: String) {
        autoRemove.withLock { $0[id] = $0[id] ?? 0 }
    }

    /// Answers a wait for container `id` on `client`: the head at once (a docker client starts the container only
    /// once its wait is in place), the exit code when it has ended. - Returns: whether `client` may go on.
    /// Podman's own API (`libpod`) answers the exit code alone.
    func answer(for id: String, client: Int32, libpod: Bool = false) -> Bool {
        if case .gone = state(of: id) {
            return write(Self.response(404, #"{"message":"No such container: \#(id)"}"#), to: client)
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        guard write(Array(head.utf8), to: client) else { return false }
        autoRemove.withLock { entries in if let waiters = entries[id] { entries[id] = waiters + 1 } }
        var pause: useconds_t = 10_000
        var code: Int?
        var left = false
        while true {
            if case .ended(let ended) = state(of: id) {
                code = ended
                break
            }
            if case .gone = state(of: id) { break }
            if Self.hasLeft(client) {
                left = true
                break
            }
            usleep(pause)
            pause = min(pause * 2, 100_000)
        }
        let removes = autoRemove.withLock { entries -> Bool in
            guard let waiters = entries[id] else { return false }
            if waiters <= 1 {
                entries[id] = nil
                return true
            }
            entries[id] = waiters - 1
            return false
        }
        if removes { remove(id) }
        guard !left else { return false }
        if libpod {
            let json = code.map { "\($0)\n" } ?? #"{"cause":"no such container","message":"removed","response":500}"#
            return write(Self.lastChunk(json), to: client)
        }
        let json =
            code.map { #"{"StatusCode":\#($0),"Error":null}"# + "\n" }
            ?? #"{"StatusCode":-1,"Error":{"Message":"the container was removed before it ended"}}"# + "\n"
        return write(Self.lastChunk(json), to: client)
    }

    enum State {
        case running
        case ended(Int)
        case gone
    }

    /// The state of container `id`, asked on a connection of its own.
    func state(of id: String) -> State {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
        guard let (status, body) = request("GET /containers/\(encoded)/json") else { return .running }
        if status == 404 { return .gone }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let state = object["State"] as? [String: Any]
        else { return .running }
        let name = state["Status"] as? String ?? ""
        if ["exited", "stopped", "dead"].contains(name) { return .ended(state["ExitCode"] as? Int ?? 0) }
        return .running
    }

    /// Removes container `id` (forced: it has ended).
    func remove(_ id: String) {
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
        _ = request("DELETE /containers/\(encoded)?force=true")
    }

    /// Removes ended `AutoRemove` containers nobody waits for (`docker run -d --rm`), two seconds after their end
    /// was seen: Podman's own client asks for the exit code only after the container's output ended.
    private func watch() {
        var endedSince: [String: ContinuousClock.Instant] = [:]
        while !stopped.withLock({ $0 }) {
            usleep(250_000)
            let idle = autoRemove.withLock { entries in entries.filter { $0.value == 0 }.map(\.key) }
            endedSince = endedSince.filter { idle.contains($0.key) }
            for id in idle {
                switch state(of: id) {
                case .running: continue
                case .ended:
                    let since = endedSince[id] ?? .now
                    endedSince[id] = since
                    if ContinuousClock.now - since < .seconds(2) { continue }
                case .gone: break
                }
                let still = autoRemove.withLock { entries -> Bool in
                    guard entries[id] == 0 else { return false }
                    entries[id] = nil
                    return true
                }
                if still { remove(id) }
            }
        }
    }

    /// One HTTP/1.0 request to Podman: its status and body.
    private func request(_ line: String) -> (Int, [UInt8])? {
        let fd = EngineProxy.connect(upstream)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard write(Array("\(line) HTTP/1.0\r\nHost: d\r\nConnection: close\r\n\r\n".utf8), to: fd) else { return nil }
        let reader = ByteReader(fd: fd)
        guard let head = reader.head(), let parsed = HTTPHead(head) else { return nil }
        var body: [UInt8] = []
        let pipe = reader.takeBuffered()
        body += pipe
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while body.count < 8 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            body += chunk.prefix(count)
        }
        return (parsed.status, body)
    }

    /// `json` as a chunk, then the end of the chunked body.
    static func lastChunk(_ json: String) -> [UInt8] {
        Array((String(json.utf8.count, radix: 16) + "\r\n" + json + "\r\n0\r\n\r\n").utf8)
    }

    /// Whether the peer of `fd` closed its end.
    static func hasLeft(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0
    }

    /// A whole JSON answer.
    static func response(_ status: Int, _ json: String) -> [UInt8] {
        let body = json + "\n"
        let reason = status == 200 ? "OK" : "Not Found"
        return Array(
            ("HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
                + body).utf8)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One job connection through ``EngineProxy``: requests passed on one at a time, the wait rewritten.
struct ProxyConnection {
    let client: Int32
    let upstreamPath: String
    let waits: EngineWaits
    /// Whether the engine shares this machine's network (see ``EngineRewrites``).
    let hostNetwork: Bool

    func run() {
        let upstream = EngineProxy.connect(upstreamPath)
        defer {
            close(client)
            if upstream >= 0 { close(upstream) }
        }
        guard upstream >= 0 else { return }
        let fromClient = ByteReader(fd: client)
        let fromUpstream = ByteReader(fd: upstream)
        while let head = fromClient.head() {
            guard var request = HTTPHead(head) else { return }
            let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
            let parts = path.split(separator: "/").map(String.init)
            // Podman's own API (`/libpod/…`, what `podman --remote` speaks) has the same waits, answered likewise.
            let libpod = parts.contains("libpod")
            if request.method == "POST", parts.count >= 3, parts[parts.count - 1] == "wait",
                parts[parts.count - 3] == "containers", !libpod || EngineWaits.waitsForExit(request.target)
            {
                // Answered here (see ``EngineWaits``); the request's body, if any, is read and dropped.
                if let length = request.contentLength, fromClient.read(length) == nil { return }
                guard waits.answer(for: parts[parts.count - 2], client: client, libpod: libpod) else { return }
                continue
            }
            if request.method == "POST", ["create", "build", "pull"].contains(parts.last ?? ""),
                let platform = EnginePlatforms.requested(in: request.target),
                let refusal = EnginePlatforms.refusal(platform)
            {
                // Answered here: the body (a build's context) is read and dropped first, so the client reads this.
                guard discardBody(of: request, from: fromClient) else { return }
                EngineProxy.answer(client, status: "400 Bad Request", message: refusal)
                return
            }
            if hostNetwork, request.method == "POST", parts.suffix(2) == ["networks", "create"] {
                guard discardBody(of: request, from: fromClient) else { return }
                EngineProxy.answer(client, status: "403 Forbidden", message: EngineRewrites.networkRefusal)
                return
            }
            if hostNetwork, request.method == "POST", parts.last == "build" {
                request.target = EngineRewrites.buildTarget(request.target)
            }
            var autoRemoved = false
            if request.method == "POST", parts.last == "create", parts.dropLast().last == "containers",
                let length = request.contentLength, !request.isChunked
            {
                guard let body = fromClient.read(length) else { return }
                let (changed, removed) = EngineRewrites.create(body, libpod: libpod, hostNetwork: hostNetwork)
                autoRemoved = removed
                request.setHeader("content-length", String(changed.count))
                guard write(request.bytes, to: upstream), write(changed, to: upstream) else { return }
            } else {
                guard write(request.bytes, to: upstream), forwardBody(of: request, from: fromClient, to: upstream)
                else { return }
            }
            guard let answerBytes = fromUpstream.head(), let answer = HTTPHead(answerBytes),
                write(answerBytes, to: client)
            else { return }
            if autoRemoved, let length = answer.contentLength {
                guard let body = fromUpstream.read(length), write(body, to: client) else { return }
                if answer.status == 201,
                    let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                    let id = object["Id"] as? String
                {
                    waits.created(id)
                }
                if request.closes || answer.closes { return }
                continue
            }
            if answer.status == 101 {
                Pipe.both(
                    client: client, clientBuffered: fromClient.takeBuffered(), upstream: upstream,
                    upstreamBuffered: fromUpstream.takeBuffered())
                return
            }
            let bodiless =
                request.method == "HEAD" || answer.status == 204 || answer.status == 304
                || (100..<200).contains(answer.status)
            if !bodiless {
                if answer.isChunked {
                    guard fromUpstream.copyChunked(to: client) else { return }
                } else if let length = answer.contentLength {
                    guard fromUpstream.copy(length, to: client) else { return }
                } else {
                    fromUpstream.copyToEnd(to: client)
                    return
                }
            }
            if request.closes || answer.closes { return }
        }
    }

    private func discardBody(of request: HTTPHead, from reader: ByteReader) -> Bool {
        let sink = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard sink >= 0 else { return false }
        defer { close(sink) }
        return forwardBody(of: request, from: reader, to: sink)
    }

    private func forwardBody(of request: HTTPHead, from reader: ByteReader, to fd: Int32) -> Bool {
        if request.isChunked { return reader.copyChunked(to: fd) }
        if let length = request.contentLength { return reader.copy(length, to: fd) }
        return true
    }
}

/// Sends all of `bytes` on the socket `fd` (never raising SIGPIPE: a peer that went away is an error here), or writes
/// them to the file `fd`.
func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            let sent = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            // Not a socket (a body being dropped into /dev/null): a plain write.
            return sent < 0 && errno == ENOTSOCK ? Glibc.write(fd, base + offset, raw.count - offset) : sent
        }
        if count < 0, errno == EINTR { continue }
        if count <= 0 { return false }
        offset += count
    }
    return true
}

/// A request or answer head: its first line's parts and its headers.
struct HTTPHead {
    /// `POST` (requests), or the version (answers).
    var method: String
    /// The request target (requests), or the status code and reason (answers).
    var target: String
    var version: String
    var headers: [(String, String)]

    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard let first = lines.first else { return nil }
        lines.removeFirst()
        let parts = first.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return nil }
        method = parts[0]
        target = parts[1]
        version = parts.count > 2 ? parts[2] : ""
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]).lowercased(),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
    }

    /// Replaces (or adds) header `name` (lowercase).
    mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0 == name }
        headers.append((name, value))
    }

    /// The answer's status code (its first line is `HTTP/1.1 200 OK`).
    var status: Int { Int(target) ?? 0 }
    func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    var contentLength: Int? { header("content-length").flatMap { Int($0) } }
    var isChunked: Bool { header("transfer-encoding")?.lowercased().contains("chunked") ?? false }
    var closes: Bool {
        header("connection")?.lowercased() == "close" || (method.hasPrefix("HTTP/1.0") || version == "HTTP/1.0")
    }

    /// The head as bytes again (with the possibly rewritten target).
    var bytes: [UInt8] {
        var text = "\(method) \(target)" + (version.isEmpty ? "" : " \(version)") + "\r\n"
        for (name, value) in rawHeaders { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    /// Headers as sent (names were lowered for lookups; HTTP names are case-insensitive).
    private var rawHeaders: [(String, String)] { headers }
}

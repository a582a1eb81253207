// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks an engine's socket whether it answers (`GET /_ping` → `OK`): the cheapest request of the Docker API
/// (`/version` makes Podman run its runtimes).
enum EngineSocket {
    /// Whether the socket at `path` answers `OK` now.
    static func answers(_ path: String) -> Bool {
        let fd = EngineProxy.connect(path)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { return false }
        var answer = [UInt8](repeating: 0, count: 512)
        var total = 0
        while total < answer.count {
            let count = answer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(fd, base + total, raw.count - total)
            }
            if count <= 0 { break }
            total += count
        }
        let text = String(decoding: answer.prefix(total), as: UTF8.self)
        return text.hasPrefix("HTTP/1.") && text.contains(" 200 ") && text.hasSuffix("OK")
    }
}

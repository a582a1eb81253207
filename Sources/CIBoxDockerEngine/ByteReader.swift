// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a socket through a buffer: HTTP heads, counted bodies and chunks, passed on as they come.
final class ByteReader {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads more into the buffer. - Returns: false at the end or on an error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer += chunk.prefix(count)
            return true
        }
    }

    /// The next head (through its blank line), or nil at the end (or past 1 MiB).
    func head() -> [UInt8]? {
        var searched = 0
        while true {
            if buffer.count >= 4 {
                for index in max(0, searched - 3)...(buffer.count - 4)
                where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13
                    && buffer[index + 3] == 10
                {
                    let head = Array(buffer[..<(index + 4)])
                    buffer.removeFirst(index + 4)
                    return head
                }
                searched = buffer.count
            }
            guard buffer.count < 1 << 20, fill() else { return nil }
        }
    }

    /// One line through its CRLF.
    private func line() -> [UInt8]? {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                let line = Array(buffer[...end])
                buffer.removeFirst(end + 1)
                return line
            }
            guard buffer.count < 64 << 10, fill() else { return nil }
        }
    }

    /// The next `count` bytes, or nil when the stream ends first.
    func read(_ count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Passes `count` bytes on to `target`.
    func copy(_ count: Int, to target: Int32) -> Bool {
        var left = count
        while left > 0 {
            if buffer.isEmpty, !fill() { return false }
            let part = min(left, buffer.count)
            guard write(Array(buffer[..<part]), to: target) else { return false }
            buffer.removeFirst(part)
            left -= part
        }
        return true
    }

    /// Passes a chunked body on to `target`, chunk by chunk as it comes (streams: logs, events, build output).
    func copyChunked(to target: Int32) -> Bool {
        while true {
            guard let sizeLine = line(), write(sizeLine, to: target) else { return false }
            let text = String(decoding: sizeLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let size = Int(text.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                return false
            }
            if size == 0 {
                // Trailers, then the blank line.
                while let trailer = line() {
                    guard write(trailer, to: target) else { return false }
                    if trailer == [13, 10] || trailer == [10] { return true }
                }
                return false
            }
            guard copy(size, to: target), let end = line(), write(end, to: target) else { return false }
        }
    }

    /// Passes everything to the end on to `target`.
    func copyToEnd(to target: Int32) {
        repeat {
            guard write(buffer, to: target) else { return }
            buffer.removeAll()
        } while fill()
    }

    /// What was read and not passed on yet (given to a pipe).
    func takeBuffered() -> [UInt8] {
        defer { buffer.removeAll() }
        return buffer
    }
}

/// A connection that stopped being HTTP (`101 Switching Protocols`): bytes both ways until both sides end.
enum Pipe {
    static func both(client: Int32, clientBuffered: [UInt8], upstream: Int32, upstreamBuffered: [UInt8]) {
        _ = write(clientBuffered, to: upstream)
        _ = write(upstreamBuffered, to: client)
        let done = Mutex(0)
        let other = Thread {
            copy(from: upstream, to: client)
            done.withLock { $0 += 1 }
        }
        other.start()
        copy(from: client, to: upstream)
        while done.withLock({ $0 }) == 0 { usleep(5_000) }
    }

    /// Copies until `source` ends, then ends writing to `target`.
    private static func copy(from source: Int32, to target: Int32) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0, write(Array(chunk.prefix(count)), to: target) else { break }
        }
        shutdown(target, Int32(SHUT_WR))
    }
}

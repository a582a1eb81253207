// cibox — CI in a box. MIT licence, see LICENSE.

import Crypto

#if canImport(Glibc)
    import Glibc
#endif

/// SHA-256 through swift-crypto (assembly-backed): cache keys' `{{ checksum }}`, long cache file names, and
/// content addresses of image blobs hundreds of megabytes long.
package enum SHA256Digest {
    /// The digest (32 bytes) of `bytes`.
    package static func of<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        Array(SHA256.hash(data: Array(bytes)))
    }

    /// The digest of what `fd` reads until its end, read 1 MiB at a time.
    /// - Returns: the digest, or nil (with `errno` set) when a read fails.
    package static func of(descriptor fd: Int32) -> [UInt8]? {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return Array(hasher.finalize()) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }

    /// The digest of the file at `path` (links followed), or nil (with `errno` set) when it cannot be read.
    package static func of(fileAt path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return of(descriptor: fd)
    }

    /// `digest` as lowercase hex digits.
    package static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

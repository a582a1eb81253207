// cibox — CI in a box. MIT licence, see LICENSE.

#if canImport(Glibc)
    import Glibc
#endif

/// TCP connections to this machine's loopback address, for tests of servers.
package enum LoopbackSocket {
    /// A socket connected to 127.0.0.1:`port` (the caller closes it), or nil when nothing accepts there.
    package static func connect(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// Where the daemon's HTTP API listens: `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:0`).
///
/// On a loopback host (this machine only) the API's reads need no token; on any other, they need a viewer's token
/// unless `http: { public_read: true }`. Port 0 asks the system for a free port (the daemon writes the one it got to
/// `$CIBOX_HOME/http.address`).
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host, without brackets (`127.0.0.1`, `::1`, `localhost`).
    package var host: String
    /// The TCP port; 0 means any free one.
    package var port: Int

    /// An address as it is (the host unchecked: see ``init(parsing:)``).
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `text`.
    /// - Throws: the reason, written for the user, when `text` is not `HOST:PORT`.
    package init(parsing text: String) throws(ListenAddressError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ListenAddressError("'\(text)' has no port")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65_535).contains(port), portText.allSatisfy(\.isASCII) else {
            throw ListenAddressError("'\(portText)' is not a port (0 to 65535)")
        }
        guard !host.isEmpty else { throw ListenAddressError("'\(text)' has no host") }
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    package var description: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// Whether the address is reachable from this machine only.
    package var isLoopback: Bool { Self.isLoopback(host) }

    /// Whether `host` names this machine only: `localhost`, `::1` or an address in 127.0.0.0/8.
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.first == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) <= 255
        }
    }
}

/// Why a listen address was refused (see ``ListenAddress/init(parsing:)``).
package struct ListenAddressError: Error, Equatable {
    /// The reason, written for the user.
    package var message: String

    /// An error saying `message`.
    package init(_ message: String) { self.message = message }
}

/// `http:` in settings: the daemon's HTTP API.
package struct HTTPSettings: Sendable, Equatable {
    /// `http: { listen }`: where the daemon serves the API; nil: it serves none.
    package var listen: ListenAddress?
    /// `http: { public_read: true }`: reads need no token even when the API is reachable from other machines.
    package var publicRead: Bool
    /// `http: { tls: { certificate, key } }`: serve HTTPS with these files; nil: plain HTTP.
    package var tls: TLSFiles?

    /// Makes HTTP settings; by default the daemon serves no API.
    package init(listen: ListenAddress? = nil, publicRead: Bool = false, tls: TLSFiles? = nil) {
        self.listen = listen
        self.publicRead = publicRead
        self.tls = tls
    }
}

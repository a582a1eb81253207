// cibox — CI in a box. MIT licence, see LICENSE.

/// Where the daemon's HTTP API listens: `HOST:PORT` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:0`).
///
/// Only loopback hosts are accepted: the API has no authentication yet, so it must not be reachable from other
/// machines. Port 0 asks the system for a free port (the daemon writes the one it got to `$CIBOX_HOME/http.address`).
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
    /// - Throws: the reason, written for the user, when `text` is not `HOST:PORT` with a loopback host.
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
        guard Self.isLoopback(host) else {
            throw ListenAddressError(
                "'\(host)' is not a loopback address: the API has no authentication yet, so it listens only on "
                    + "this machine (127.0.0.1, ::1 or localhost)")
        }
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    package var description: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

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

    /// Makes HTTP settings; by default the daemon serves no API.
    package init(listen: ListenAddress? = nil) { self.listen = listen }
}

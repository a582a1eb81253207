// cibox — CI in a box. MIT licence, see LICENSE.

/// `http: { tls: { certificate, key } }`: the PEM files the daemon's HTTP API serves HTTPS with.
package struct TLSFiles: Sendable, Equatable {
    /// The absolute path of the certificate chain: the server's certificate first, then any intermediates.
    package var certificate: String
    /// The absolute path of the certificate's private key (unencrypted).
    package var key: String

    /// Files at these paths.
    package init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

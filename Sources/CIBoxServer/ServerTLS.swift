// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import NIOSSL

/// What the API serves HTTPS with (`http: { tls: { certificate, key } }`): the certificate chain and its key, read
/// and checked once, when the daemon starts, so that a mistake stops it with a message naming the file.
package struct ServerTLS: Sendable {
    /// NIO's server configuration (TLS 1.2 and up).
    let configuration: TLSConfiguration

    /// Reads the PEM files of `files`.
    /// - Throws: ``APIServerError`` naming the file and what to do when one is missing, unreadable or not PEM, or
    ///   the key is not the certificate's.
    package static func load(_ files: TLSFiles) throws(APIServerError) -> ServerTLS {
        let certificateText = try read(files.certificate, what: "certificate")
        let keyText = try read(files.key, what: "key")
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(certificateText), !chain.isEmpty else {
            throw APIServerError(
                message: "The TLS certificate '\(files.certificate)' is not a PEM certificate: it must hold "
                    + "'-----BEGIN CERTIFICATE-----' blocks, the server's own first, then any intermediates "
                    + "(`openssl x509 -in \(files.certificate) -noout -subject` shows the first).")
        }
        guard let key = try? NIOSSLPrivateKey(bytes: keyText, format: .pem) else {
            throw APIServerError(
                message: "The TLS key '\(files.key)' is not a PEM private key: it must hold one unencrypted "
                    + "'-----BEGIN PRIVATE KEY-----' block (`openssl pkey -in \(files.key) -noout` checks it; "
                    + "`openssl pkey -in ENCRYPTED -out \(files.key)` removes a passphrase).")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw APIServerError(
                message: "The TLS key '\(files.key)' is not the key of the certificate '\(files.certificate)': give "
                    + "the key the certificate was made with.")
        }
        return ServerTLS(configuration: configuration)
    }

    /// The bytes of file `path`, the `http.tls` `what` (`certificate` or `key`).
    private static func read(_ path: String, what: String) throws(APIServerError) -> [UInt8] {
        let reason: String
        do {
            return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                reason = "there is no such file"
            } else if isFolder.boolValue {
                reason = "it is a folder"
            } else if !FileManager.default.isReadableFile(atPath: path) {
                reason = "permission denied"
            } else {
                reason = "\(error.localizedDescription)"
            }
        }
        throw APIServerError(
            message: "Cannot read the TLS \(what) '\(path)': \(reason). Point http.tls.\(what) in settings.yml (or "
                + "--tls-\(what)) at a PEM file that the user running `cibox daemon` can read.")
    }
}

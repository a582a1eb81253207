// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `http: { listen, public_read, tls: { certificate, key } }`: where `cibox daemon` serves its HTTP API, whether
/// reads need no token when it is reachable from other machines (see ``ListenAddress``), and the PEM files it
/// serves HTTPS with.
enum HTTPSection: SettingsSection {
    static let keys: Set<String> = ["http"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "listen":
                guard let scalar = item.value.scalar, !scalar.isNull else {
                    decoder.error(
                        item.value.location, "'listen' must be an address and port, not \(item.value.kindDescription)",
                        hint: "write it as listen: \"127.0.0.1:8080\"")
                    continue
                }
                do {
                    settings.http.listen = try ListenAddress(parsing: scalar.text)
                } catch {
                    decoder.error(item.value.location, error.message, hint: "write it as listen: \"127.0.0.1:8080\"")
                }
            case "public_read":
                if let value = SettingsValues.bool(item, decoder) { settings.http.publicRead = value }
            case "tls":
                if let files = tls(item, decoder) { settings.http.tls = files }
            default: SettingsValues.unknown(item, in: "http", decoder)
            }
        }
    }

    /// `tls: { certificate, key }`, both absolute paths; nil after an error.
    private static func tls(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> TLSFiles? {
        var paths: [String: String] = [:]
        var failed = false
        for item in SettingsValues.mapping(entry, decoder) {
            guard ["certificate", "key"].contains(item.key) else {
                SettingsValues.unknown(item, in: "tls", decoder)
                continue
            }
            guard let path = item.value.scalar?.text, path.hasPrefix("/") else {
                decoder.error(
                    item.value.location, "'\(item.key)' must be the absolute path of a PEM file",
                    hint: "write it as \(item.key): /etc/cibox/tls/\(item.key == "key" ? "key" : "cert").pem")
                failed = true
                continue
            }
            paths[item.key] = path
        }
        guard let certificate = paths["certificate"], let key = paths["key"] else {
            guard entry.value.entries != nil, !failed else { return nil }  // reported already
            decoder.error(
                entry.value.location, "'tls' needs both 'certificate' and 'key' (PEM files)",
                hint: "write it as tls: { certificate: /etc/cibox/tls/cert.pem, key: /etc/cibox/tls/key.pem }")
            return nil
        }
        return TLSFiles(certificate: certificate, key: key)
    }
}

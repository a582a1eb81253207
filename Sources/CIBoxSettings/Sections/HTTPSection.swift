// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// `http: { listen, public_read }`: where `cibox daemon` serves its HTTP API, and whether reads need no token when it
/// is reachable from other machines (see ``ListenAddress``).
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
            default: SettingsValues.unknown(item, in: "http", decoder)
            }
        }
    }
}

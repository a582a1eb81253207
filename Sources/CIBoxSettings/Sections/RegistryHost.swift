// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// Readers of registry names in `images:` settings: a host with an optional port (`registry.internal:5000`), and a
/// mirror's location, which may add a path (`registry.internal/dockerhub`).
enum RegistryHost {
    /// `text` as a registry host (`index.docker.io` is `docker.io`), or an error at `location`.
    static func registry(_ text: String, at location: SourceLocation, _ decoder: NodeDecoder) -> String? {
        guard isHost(text) else {
            decoder.error(
                location, "'\(text)' is not a registry: write a host with an optional port",
                hint: "such as docker.io, ghcr.io or registry.internal:5000")
            return nil
        }
        return text == "index.docker.io" ? "docker.io" : text
    }

    /// The mirror location of `entry` (`host[:port][/path]`).
    static func mirror(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> String? {
        guard let text = entry.value.scalar?.text, !entry.value.isNull else {
            decoder.error(
                entry.value.location,
                "the mirror of '\(entry.key)' must be a registry location, not \(entry.value.kindDescription)",
                hint: "write it as \(entry.key): \"registry.internal:5000\"")
            return nil
        }
        var location = Substring(text)
        while location.hasSuffix("/") { location = location.dropLast() }
        let host = location.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let path = location.dropFirst(host.count)
        guard isHost(host), path.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "/._-".contains($0)) })
        else {
            decoder.error(
                entry.value.location, "'\(text)' is not a registry location: write host[:port][/path]",
                hint: "such as registry.internal:5000 or registry.internal/dockerhub (no scheme)")
            return nil
        }
        return String(location)
    }

    /// The registries of a list value.
    static func list(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> [String] {
        guard let items = entry.value.elements else {
            decoder.error(
                entry.value.location, "'\(entry.key)' must be a list of registries",
                hint: "such as [registry.internal:5000]")
            return []
        }
        return items.compactMap { item -> String? in
            guard let text = item.scalar?.text else {
                decoder.error(item.location, "a registry must be a host, not \(item.kindDescription)")
                return nil
            }
            return registry(text, at: item.location, decoder)
        }
    }

    /// Whether `text` is `host[:port]`: letters, digits, `.` and `-` in the host, digits in the port.
    static func isHost(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let name = parts.first, !name.isEmpty, name.first != ".",
            name.first != "-", name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else { return false }
        guard parts.count == 2 else { return true }
        return UInt16(parts[1]).map { $0 > 0 } ?? false
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// Readers for the kinds of values several sections have, each reporting a value it cannot read.
enum SettingsValues {
    /// A positive duration such as `10m`, `1h30m` or `90s`.
    static func duration(_ node: ConfigNode, _ decoder: NodeDecoder) -> Double? {
        guard let text = node.scalar?.text, let seconds = CircleDuration.seconds(from: text), seconds > 0 else {
            decoder.error(node.location, "expected a duration such as 10m, 1h30m or 90s")
            return nil
        }
        return seconds
    }

    /// A positive duration where days and weeks are allowed too (see ``SettingsLoader/longDuration(_:)``).
    static func longDuration(_ node: ConfigNode, _ decoder: NodeDecoder) -> Double? {
        guard let text = node.scalar?.text, let seconds = SettingsLoader.longDuration(text), seconds > 0 else {
            decoder.error(node.location, "expected a duration such as 2s, 1h, 30d or 2w")
            return nil
        }
        return seconds
    }

    /// The entries of a mapping value; none after an error.
    static func mapping(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> [ConfigMappingEntry] {
        guard let entries = entry.value.entries else {
            decoder.error(entry.value.location, "'\(entry.key)' must be a mapping")
            return []
        }
        return entries
    }

    /// A plain YAML boolean.
    static func bool(_ entry: ConfigMappingEntry, _ decoder: NodeDecoder) -> Bool? {
        guard let value = entry.value.scalar?.bool else {
            decoder.error(entry.value.location, "'\(entry.key)' must be true or false")
            return nil
        }
        return value
    }

    /// Warns that `entry` is not a key of `parent`.
    static func unknown(_ entry: ConfigMappingEntry, in parent: String, _ decoder: NodeDecoder) {
        decoder.warning(entry.keyLocation, "unknown key '\(entry.key)' in '\(parent)' is ignored")
    }

    /// `local` or `slurm`.
    static func executorKind(_ node: ConfigNode, _ decoder: NodeDecoder) -> ExecutorKind? {
        guard let text = node.scalar?.text, let kind = ExecutorKind(rawValue: text) else {
            decoder.error(node.location, "executor must be 'local' or 'slurm', not \(node.kindDescription)")
            return nil
        }
        return kind
    }

    /// `cpus:` of `parent` in millicores (`0.5` is 500).
    static func cpus(_ node: ConfigNode?, in parent: ConfigNode, _ decoder: NodeDecoder) -> Int? {
        guard let node else {
            decoder.error(parent.location, "missing 'cpus' (a number of CPUs, such as 2 or 0.5)")
            return nil
        }
        guard let text = node.scalar?.text, let value = Double(text), value > 0 else {
            decoder.error(node.location, "'cpus' must be a positive number, such as 2 or 0.5")
            return nil
        }
        return Int((value * 1000).rounded())
    }

    /// `memory:` of `parent` in bytes.
    static func memory(_ node: ConfigNode?, in parent: ConfigNode, _ decoder: NodeDecoder) -> Int64? {
        guard let node else {
            decoder.error(parent.location, "missing 'memory' (bytes, or with K, M, G, KiB, MiB, GiB)")
            return nil
        }
        guard let text = node.scalar?.text, let bytes = ByteCount.parse(text), bytes > 0 else {
            decoder.error(
                node.location, "'memory' must be a size such as 4GiB, 512M or 1073741824",
                hint: "units: K, M, G, KiB, MiB, GiB (all binary)")
            return nil
        }
        return bytes
    }
}

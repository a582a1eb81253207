// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxYAML

/// `executors.slurm`, read for ``ExecutorSection``.
enum SlurmSettingsReader {
    /// `executors.slurm`: `shared_directory` (required, absolute), `partition`, `account`, `sbatch_arguments`,
    /// `cibox`, `poll_interval`.
    static func slurm(_ node: ConfigNode, _ decoder: NodeDecoder) -> SlurmSettings? {
        guard let entries = node.entries else {
            decoder.error(node.location, "'slurm' must be a mapping")
            return nil
        }
        var settings = SlurmSettings(sharedDirectory: "")
        for item in entries {
            switch item.key {
            case "shared_directory":
                let what = "an absolute path that every node sees, such as /shared/cibox"
                if let path = absolutePath(item, what, decoder) {
                    settings.sharedDirectory = Paths.normalize(path)
                }
            case "partition", "account":
                guard let text = item.value.scalar?.text, !text.isEmpty else {
                    decoder.error(item.value.location, "'\(item.key)' must be a name")
                    continue
                }
                if item.key == "partition" { settings.partition = text } else { settings.account = text }
            case "sbatch_arguments":
                settings.sbatchArguments = arguments(item.value, decoder)
            case "cibox":
                settings.ciboxPath = absolutePath(item, "the absolute path of the cibox binary on the nodes", decoder)
            case "poll_interval":
                guard let text = item.value.scalar?.text, let seconds = SettingsLoader.longDuration(text), seconds > 0
                else {
                    decoder.error(item.value.location, "'poll_interval' must be a duration such as 1s or 0.5s")
                    continue
                }
                settings.pollInterval = seconds
            default:
                decoder.warning(item.keyLocation, "unknown key '\(item.key)' in 'slurm' is ignored")
            }
        }
        guard !settings.sharedDirectory.isEmpty else {
            decoder.error(
                node.location,
                "'slurm' needs 'shared_directory': a folder every node sees at the same path (job folders, logs, "
                    + "caches, workspaces and artifacts go there)")
            return nil
        }
        return settings
    }

    /// The absolute path in `item`, or nil after an error saying it must be `what`.
    private static func absolutePath(_ item: ConfigMappingEntry, _ what: String, _ decoder: NodeDecoder) -> String? {
        guard let path = item.value.scalar?.text, path.hasPrefix("/") else {
            decoder.error(item.value.location, "'\(item.key)' must be \(what)")
            return nil
        }
        return path
    }

    /// A list of `sbatch` arguments (or one string, split at white space).
    private static func arguments(_ node: ConfigNode, _ decoder: NodeDecoder) -> [String] {
        if let text = node.scalar?.text {
            return text.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        var result: [String] = []
        for element in node.elements ?? [] {
            guard let text = element.scalar?.text else {
                decoder.error(element.location, "each sbatch argument must be a string")
                continue
            }
            result.append(text)
        }
        if node.elements == nil {
            decoder.error(node.location, "'sbatch_arguments' must be a list such as [--qos=ci]")
        }
        return result
    }
}

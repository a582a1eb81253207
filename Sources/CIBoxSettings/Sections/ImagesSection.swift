// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import CIBoxModel
import CIBoxYAML

/// `images: { mode, aliases, network, registry_mirrors, insecure_registries, pull, keep, max_size }`: whether jobs
/// run in their `docker:` images, which references stand for others, what the containers reach, where and when
/// images are pulled, and how long the store keeps them. Aliases are kept normalised as Docker does, on both sides.
enum ImagesSection: SettingsSection {
    static let keys: Set<String> = ["images"]

    static func load(_ entry: ConfigMappingEntry, into settings: inout Settings, _ decoder: NodeDecoder) {
        for item in SettingsValues.mapping(entry, decoder) {
            switch item.key {
            case "mode":
                if let mode = choice(item, ImageMode.self, decoder) { settings.images.mode = mode }
            case "network":
                if let network = choice(item, ImageNetwork.self, decoder) { settings.images.network = network }
            case "aliases":
                for alias in SettingsValues.mapping(item, decoder) {
                    guard let from = reference(alias.key, at: alias.keyLocation, decoder),
                        let to = target(alias, decoder)
                    else { continue }
                    settings.images.aliases[from] = to
                }
            case "docker_engine":
                if let policy = choice(item, DockerEnginePolicy.self, decoder) {
                    settings.images.dockerEngine = policy
                }
            case "pull":
                if let policy = choice(item, ImagePullPolicy.self, decoder) { settings.images.pull = policy }
            case "registry_mirrors":
                for mirror in SettingsValues.mapping(item, decoder) {
                    guard let registry = RegistryHost.registry(mirror.key, at: mirror.keyLocation, decoder),
                        let location = RegistryHost.mirror(mirror, decoder)
                    else { continue }
                    settings.images.registryMirrors[registry] = location
                }
            case "insecure_registries":
                settings.images.insecureRegistries = RegistryHost.list(item, decoder)
            case "keep":
                if let value = SettingsValues.longDuration(item.value, decoder) { settings.images.keep = value }
            case "max_size":
                if let text = item.value.scalar?.text, let bytes = ByteCount.parse(text), bytes > 0 {
                    settings.images.maxSize = bytes
                } else {
                    decoder.error(item.value.location, "'max_size' must be a size such as 20GiB or 500M")
                }
            default:
                decoder.warning(
                    item.keyLocation, "unknown key '\(item.key)' in 'images' is ignored",
                    hint: "known keys: aliases, docker_engine, insecure_registries, keep, max_size, mode, network, "
                        + "pull, registry_mirrors")
            }
        }
    }

    /// One of `Choice`'s raw values.
    private static func choice<Choice: RawRepresentable & CaseIterable>(
        _ item: ConfigMappingEntry, _: Choice.Type, _ decoder: NodeDecoder
    ) -> Choice? where Choice.RawValue == String {
        if let text = item.value.scalar?.text, let value = Choice(rawValue: text) { return value }
        let names = Choice.allCases.map { "'\($0.rawValue)'" }
        let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        decoder.error(item.value.location, "'\(item.key)' must be \(list), not \(item.value.kindDescription)")
        return nil
    }

    /// The reference an alias maps to.
    private static func target(_ alias: ConfigMappingEntry, _ decoder: NodeDecoder) -> String? {
        guard let scalar = alias.value.scalar, !scalar.isNull else {
            decoder.error(
                alias.value.location,
                "the alias of '\(alias.key)' must be an image reference, not \(alias.value.kindDescription)",
                hint: "write it as \"\(alias.key)\": \"registry.example/node:20\"")
            return nil
        }
        return reference(scalar.text, at: alias.value.location, decoder)
    }

    /// `text` normalised, or an error at `location` saying what is wrong with it.
    private static func reference(_ text: String, at location: SourceLocation, _ decoder: NodeDecoder) -> String? {
        do {
            return try ImageReference(parsing: text).description
        } catch {
            decoder.error(
                location, error.message,
                hint: "a reference is written as in a config's docker: image, such as cimg/node:20")
            return nil
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

@Suite struct ImageSettingsTests {
    @Test func readsModeAliasesAndNetwork() throws {
        let text = """
            images:
              mode: required
              aliases: { "cimg/node:20": "internal.example:5000/node:20.11", "redis": "internal.example/redis:7" }
              network: host
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let images = try #require(settings).images
        #expect(images.mode == .required)
        #expect(images.network == .host)
        #expect(
            images.aliases == [
                "docker.io/cimg/node:20": "internal.example:5000/node:20.11",
                "docker.io/library/redis:latest": "internal.example/redis:7",
            ])
        #expect(images.resolved("docker.io/cimg/node:20") == "internal.example:5000/node:20.11")
        #expect(images.resolved("docker.io/library/node:20") == "docker.io/library/node:20")
    }

    @Test func defaultsWhenAbsent() throws {
        let images = try #require(SettingsLoader.load("cgroups: true", path: "settings.yml").0).images
        #expect(images == ImageSettings(mode: .auto, aliases: [:], network: .loopback))
        #expect(Settings().images.mode == .auto && Settings().images.network == .loopback)
    }

    @Test func everyModeAndNetworkIsRead() throws {
        for mode in ImageMode.allCases {
            for network in ImageNetwork.allCases {
                let text = "images: { mode: \(mode.rawValue), network: \(network.rawValue) }"
                let images = try #require(SettingsLoader.load(text, path: "settings.yml").0).images
                #expect(images.mode == mode && images.network == network)
            }
        }
    }

    @Test func mistakesAreReported() {
        let text = """
            images:
              mode: docker
              network: [bridge]
              colour: red
              aliases:
                "Node:20": "internal/node:20"
                "cimg/base:2024": "internal/base:-x"
                "cimg/go:1.22": { image: go }
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "/home/ci/.cibox/settings.yml")
        #expect(settings == nil)
        let hint = "\n  hint: a reference is written as in a config's docker: image, such as cimg/node:20"
        #expect(
            diagnostics.map(\.formatted) == [
                "/home/ci/.cibox/settings.yml:2:9: error: 'mode' must be 'auto', 'required' or 'host', not 'docker'",
                "/home/ci/.cibox/settings.yml:3:12: error: 'network' must be 'loopback' or 'host', not a list",
                "/home/ci/.cibox/settings.yml:4:3: warning: unknown key 'colour' in 'images' is ignored\n"
                    + "  hint: known keys: aliases, docker_engine, insecure_registries, keep, max_size, mode, network, pull, "
                    + "registry_mirrors",
                "/home/ci/.cibox/settings.yml:6:5: error: 'Node:20' is not a valid image reference: the name must be "
                    + "lowercase letters, digits and separators ('.', '_', '-', '/')." + hint,
                "/home/ci/.cibox/settings.yml:7:23: error: 'internal/base:-x' is not a valid image reference: the tag "
                    + "must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'." + hint,
                "/home/ci/.cibox/settings.yml:8:21: error: the alias of 'cimg/go:1.22' must be an image reference, "
                    + "not a mapping\n  hint: write it as \"cimg/go:1.22\": \"registry.example/node:20\"",
            ])
    }

    @Test func readsRegistriesPullAndRetention() throws {
        let text = """
            images:
              registry_mirrors: { docker.io: "registry.internal:5000", index.docker.io: "mirror.internal/hub/", ghcr.io: "mirror.internal/ghcr" }
              insecure_registries: [registry.internal:5000, 127.0.0.1:5001]
              pull: always
              keep: 2w
              max_size: 20GiB
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let images = try #require(settings).images
        // index.docker.io is docker.io: the later key wins, and a trailing slash is dropped.
        #expect(images.registryMirrors == ["docker.io": "mirror.internal/hub", "ghcr.io": "mirror.internal/ghcr"])
        #expect(images.insecureRegistries == ["registry.internal:5000", "127.0.0.1:5001"])
        #expect(images.pull == .always)
        #expect(images.keep == 14 * 86_400)
        #expect(images.maxSize == 20 << 30)
        let defaults = ImageSettings()
        #expect(defaults.pull == .missing && defaults.keep == 30 * 86_400 && defaults.maxSize == nil)
    }

    @Test func registryMistakesAreReported() {
        let text = """
            images:
              registry_mirrors: { "https://docker.io": x, ghcr.io: "https://mirror", quay.io: [a] }
              insecure_registries: registry.internal
              pull: sometimes
              keep: forever
              max_size: big
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:2:23: error: 'https://docker.io' is not a registry: write a host with an optional port\n"
                    + "  hint: such as docker.io, ghcr.io or registry.internal:5000",
                "settings.yml:2:56: error: 'https://mirror' is not a registry location: write host[:port][/path]\n"
                    + "  hint: such as registry.internal:5000 or registry.internal/dockerhub (no scheme)",
                "settings.yml:2:83: error: the mirror of 'quay.io' must be a registry location, not a list\n"
                    + "  hint: write it as quay.io: \"registry.internal:5000\"",
                "settings.yml:3:24: error: 'insecure_registries' must be a list of registries\n"
                    + "  hint: such as [registry.internal:5000]",
                "settings.yml:4:9: error: 'pull' must be 'missing', 'always' or 'never', not 'sometimes'",
                "settings.yml:5:9: error: expected a duration such as 2s, 1h, 30d or 2w",
                "settings.yml:6:13: error: 'max_size' must be a size such as 20GiB or 500M",
            ])
    }

    @Test func imagesMustBeAMapping() {
        let (settings, diagnostics) = SettingsLoader.load("images: host", path: "settings.yml")
        #expect(settings == nil)
        #expect(diagnostics.map(\.formatted) == ["settings.yml:1:9: error: 'images' must be a mapping"])
    }
}

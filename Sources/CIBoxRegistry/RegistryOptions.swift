// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation

/// Where and when images are pulled, as the settings say (`images: { registry_mirrors, insecure_registries, pull }`),
/// in a form a Slurm node's agent receives too, with where stored logins are (`cibox registry login`).
package struct RegistryOptions: Codable, Sendable, Equatable {
    /// Registries → their mirror (`docker.io` → `registry.internal:5000`).
    package var mirrors: [String: String]
    /// Registries reached over plain HTTP or unverified TLS.
    package var insecure: [String]
    /// When a job's image is pulled.
    package var pull: ImagePullPolicy
    /// The stored logins (`$CIBOX_HOME/registry/auth.json`, the containers-auth.json format).
    package var credentialsFile: String

    /// Makes options.
    package init(
        mirrors: [String: String] = [:], insecure: [String] = [], pull: ImagePullPolicy = .missing,
        credentialsFile: String
    ) {
        self.mirrors = mirrors
        self.insecure = insecure
        self.pull = pull
        self.credentialsFile = credentialsFile
    }

    /// The options of `settings` for the home `home`.
    package init(settings: ImageSettings, home: String) {
        self.init(
            mirrors: settings.registryMirrors, insecure: settings.insecureRegistries, pull: settings.pull,
            credentialsFile: RegistryCredentials.defaultFile(home: home))
    }

    /// Whether `registry` is named by the settings (a mirror, insecure) or has a stored login.
    package func configures(_ registry: String) -> Bool {
        mirrors[registry] != nil || insecure.contains(registry)
            || (try? RegistryCredentials(file: credentialsFile).login(for: registry)) != nil
    }

    /// The mirror pulls from `registry` go to, if any.
    package func mirror(of registry: String) -> String? { mirrors[registry] }

    /// skopeo's `registries.conf` (version 2) for these options: one `[[registry]]` per registry the settings name,
    /// with its mirror and whether each is insecure; no short-name search (cibox normalises names itself).
    package var registriesConf: String {
        var text = "unqualified-search-registries = []\nshort-name-mode = \"disabled\"\n"
        let registries = Set(mirrors.keys).union(insecure).sorted()
        for registry in registries {
            text += "\n[[registry]]\nprefix = \(Self.quoted(registry))\nlocation = \(Self.quoted(registry))\n"
            text += "insecure = \(insecure.contains(registry))\n"
            if let mirror = mirrors[registry] {
                let host = String(mirror.split(separator: "/", maxSplits: 1).first ?? "")
                text += "\n[[registry.mirror]]\nlocation = \(Self.quoted(mirror))\n"
                text += "insecure = \(insecure.contains(host))\n"
            }
        }
        return text
    }

    /// A TOML basic string (settings only allow host and path characters; quotes and backslashes are escaped all
    /// the same).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

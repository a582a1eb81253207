// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// `cibox registry login`: a login is checked with the registry (skopeo's `login`, which speaks its auth) before it
/// is stored.
package struct RegistryLogins: Sendable {
    let options: RegistryOptions
    let skopeo: Skopeo?

    /// Makes one.
    package init(options: RegistryOptions, skopeo: Skopeo? = Skopeo.find()) {
        self.options = options
        self.skopeo = skopeo
    }

    /// Checks `login` with `registry`, then stores it.
    /// - Throws: ``RegistryError`` with the registry's answer (nothing is stored then).
    package func login(_ login: RegistryLogin, to registry: String) async throws(RegistryError) {
        guard let skopeo else {
            throw RegistryError(
                .noClient,
                "Cannot log in: skopeo is not installed (Debian: skopeo; scripts/install-deps.sh installs it).")
        }
        let folder = Paths.parent(options.credentialsFile) + "/login-\(getpid())"
        let session = try PullSession(folder: folder, options: options)
        let passwordFile = session.folder + "/password"
        do {
            try FileWriter.replace(login.password, at: passwordFile, mode: 0o600)
        } catch {
            throw RegistryError(.refused, "Cannot write '\(passwordFile)': \(error).")
        }
        do throws(RegistryError) {
            try await skopeo.login(
                registry, username: login.username, passwordFile: passwordFile,
                authFile: session.folder + "/checked.json", in: session)
        } catch {
            let answer = SecretMaskerLite.mask(error.message, login.password)
            switch error.code {
            case .unauthorized:
                throw RegistryError(
                    .unauthorized,
                    "The registry \(registry) refused the login of '\(login.username)': \(answer). Check the user "
                        + "name and the password or token.")
            case .unreachable:
                throw RegistryError(
                    .unreachable,
                    "Cannot reach the registry \(registry): \(answer). Check the host and port; a registry on "
                        + "plain HTTP must be listed in `images: { insecure_registries: [...] }`.")
            default:
                throw RegistryError(error.code, "Cannot log in to \(registry): \(answer)")
            }
        }
        try RegistryCredentials(file: options.credentialsFile).store(login, for: registry)
    }
}

/// Hides a password in a message (skopeo never prints it; this is a second guard).
enum SecretMaskerLite {
    static func mask(_ text: String, _ secret: String) -> String {
        secret.utf8.count >= 4 ? text.replacingOccurrences(of: secret, with: "****") : text
    }
}

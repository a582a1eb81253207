// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// The private folder of one conversation with registries (mode 0700, removed after): skopeo's `registries.conf`
/// made from the settings, the logins it may use (stored ones, plus a job's `auth:`), and its temporary files.
/// skopeo gets this folder as `HOME`, so it reads no one's `~/.docker/config.json` and no other configuration.
final class PullSession: Sendable {
    /// The folder.
    let folder: String

    /// Makes the folder `folder` with the files `options` and `logins` need.
    /// - Throws: ``RegistryError`` `refused` when the folder or its files cannot be written, or the stored logins
    ///   are damaged.
    init(folder: String, options: RegistryOptions, logins: [String: RegistryLogin] = [:]) throws(RegistryError) {
        self.folder = folder
        do {
            try Folders.make(folder, mode: 0o700)
            try FileWriter.replace(options.registriesConf, at: folder + "/registries.conf", mode: 0o600)
            if !FileManager.default.fileExists(atPath: Self.systemPolicy) {
                // No signature policy on this machine (containers-common not installed): images are checked by
                // digest, which cibox does itself.
                try FileWriter.replace(
                    #"{"default": [{"type": "insecureAcceptAnything"}]}"# + "\n", at: folder + "/policy.json",
                    mode: 0o600)
            }
        } catch {
            FolderTree.remove(folder)
            throw RegistryError(.refused, "Cannot prepare a pull in '\(folder)': \(error).")
        }
        do throws(RegistryError) {
            try RegistryCredentials(file: options.credentialsFile).write(adding: logins, to: authFile)
        } catch {
            FolderTree.remove(folder)
            throw error
        }
    }

    deinit {
        FolderTree.remove(folder)
    }

    /// The signature policy skopeo reads when none is given.
    static let systemPolicy = "/etc/containers/policy.json"

    /// The logins skopeo may use.
    var authFile: String { folder + "/auth.json" }

    /// The options before skopeo's command: this session's registries.conf (and policy when the machine has none).
    var globalArguments: [String] {
        var arguments = ["--registries-conf", folder + "/registries.conf"]
        if FileManager.default.fileExists(atPath: folder + "/policy.json") {
            arguments += ["--policy", folder + "/policy.json"]
        }
        return arguments
    }

    /// skopeo's environment: this folder as `HOME` and for temporary files, cibox's `PATH` and proxy settings.
    var environment: [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var result = ["HOME": folder, "TMPDIR": folder, "XDG_RUNTIME_DIR": folder, "XDG_CONFIG_HOME": folder]
        result["PATH"] = inherited["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"] {
            if let value = inherited[name] { result[name] = value }
        }
        return result
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// A user name and password for a registry.
package struct RegistryLogin: Sendable, Equatable {
    /// The user name.
    package var username: String
    /// The password (or token).
    package var password: String

    /// Makes a login.
    package init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `user:password` in base64, as containers-auth.json and Docker's config.json keep it.
    var encoded: String { Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// The logins `cibox registry login` stored: a containers-auth.json file (`{"auths": {HOST: {"auth": BASE64}}}`,
/// what skopeo, Podman and Docker read), mode 0600 in a 0700 folder.
package struct RegistryCredentials: Sendable {
    /// The file.
    package let file: String

    /// `$CIBOX_HOME/registry/auth.json`.
    package static func defaultFile(home: String) -> String { home + "/registry/auth.json" }

    /// The credentials of `file` (which need not exist).
    package init(file: String) {
        self.file = file
    }

    /// The file's entries by registry; none when it does not exist.
    /// - Throws: ``RegistryError`` `refused` when it is not a containers-auth.json.
    func entries() throws(RegistryError) -> [String: Any] {
        guard let bytes = FileReader.contents(atPath: file) else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw RegistryError(
                .refused,
                "The registry logins file '\(file)' is damaged: log in again with `cibox registry login HOST`.")
        }
        return object["auths"] as? [String: Any] ?? [:]
    }

    /// The stored login for `registry`, if any.
    package func login(for registry: String) throws(RegistryError) -> RegistryLogin? {
        guard let entry = try entries()[registry] as? [String: Any], let auth = entry["auth"] as? String,
            let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return RegistryLogin(
            username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
    }

    /// The registries with a stored login, sorted.
    package func registries() throws(RegistryError) -> [String] {
        try entries().keys.sorted()
    }

    /// Stores `login` for `registry` (replacing an earlier one).
    package func store(_ login: RegistryLogin, for registry: String) throws(RegistryError) {
        var entries = try entries()
        entries[registry] = ["auth": login.encoded]
        try write(entries)
    }

    /// Removes the login of `registry`. - Returns: whether there was one.
    package func remove(_ registry: String) throws(RegistryError) -> Bool {
        var entries = try entries()
        guard entries.removeValue(forKey: registry) != nil else { return false }
        try write(entries)
        return true
    }

    /// The stored logins with `extra` added (a job's `auth:` wins over a stored login of the same registry),
    /// written to `path` (mode 0600) for one skopeo command.
    func write(adding extra: [String: RegistryLogin], to path: String) throws(RegistryError) {
        var entries = try entries()
        for (registry, login) in extra { entries[registry] = ["auth": login.encoded] }
        try write(entries, to: path)
    }

    private func write(_ entries: [String: Any], to path: String? = nil) throws(RegistryError) {
        let target = path ?? file
        do {
            try Folders.make(Paths.parent(target), mode: 0o700)
            let data = try JSONSerialization.data(
                withJSONObject: ["auths": entries], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try FileWriter.replace(String(decoding: data, as: UTF8.self) + "\n", at: target, mode: 0o600)
        } catch {
            throw RegistryError(.refused, "Cannot write the registry logins file '\(target)': \(error).")
        }
    }
}

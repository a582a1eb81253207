// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxRegistry

@Suite struct RegistryOptionsTests {
    @Test func registriesConfNamesEachMirrorAndInsecureRegistry() {
        let options = RegistryOptions(
            mirrors: ["docker.io": "registry.internal:5000", "ghcr.io": "mirror.internal/ghcr"],
            insecure: ["registry.internal:5000", "old.internal"], pull: .missing, credentialsFile: "/x/auth.json")
        #expect(
            options.registriesConf == """
                unqualified-search-registries = []
                short-name-mode = "disabled"

                [[registry]]
                prefix = "docker.io"
                location = "docker.io"
                insecure = false

                [[registry.mirror]]
                location = "registry.internal:5000"
                insecure = true

                [[registry]]
                prefix = "ghcr.io"
                location = "ghcr.io"
                insecure = false

                [[registry.mirror]]
                location = "mirror.internal/ghcr"
                insecure = false

                [[registry]]
                prefix = "old.internal"
                location = "old.internal"
                insecure = true

                [[registry]]
                prefix = "registry.internal:5000"
                location = "registry.internal:5000"
                insecure = true

                """)
        #expect(RegistryOptions.quoted(#"a"b\c"#) == #""a\"b\\c""#)
    }

    @Test func aRegistryIsConfiguredByAMirrorAnInsecureEntryOrALogin() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-registry-options")
        defer { folder.remove() }
        let file = folder.appending("auth.json")
        let options = RegistryOptions(
            mirrors: ["docker.io": "m:5000"], insecure: ["i:5000"], pull: .missing, credentialsFile: file)
        #expect(options.configures("docker.io") && options.configures("i:5000"))
        #expect(!options.configures("ghcr.io"))
        try RegistryCredentials(file: file).store(RegistryLogin(username: "u", password: "p"), for: "ghcr.io")
        #expect(options.configures("ghcr.io"))
    }

    @Test func loginsAreStoredAsContainersAuthJSONWithMode0600() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-registry-logins")
        defer { folder.remove() }
        let credentials = RegistryCredentials(file: folder.appending("registry/auth.json"))
        #expect(try credentials.registries().isEmpty)
        try credentials.store(RegistryLogin(username: "alice", password: "pa:ss word"), for: "r.internal:5000")
        try credentials.store(RegistryLogin(username: "bob", password: "x"), for: "ghcr.io")
        #expect(try credentials.registries() == ["ghcr.io", "r.internal:5000"])
        #expect(
            try credentials.login(for: "r.internal:5000") == RegistryLogin(username: "alice", password: "pa:ss word"))
        let text = try String(contentsOfFile: credentials.file, encoding: .utf8)
        #expect(text.contains(#""r.internal:5000" : {"#) && text.contains(#""auth" : "YWxpY2U6cGE6c3Mgd29yZA==""#))
        #expect(!text.contains("pa:ss word"))
        let attributes = try FileManager.default.attributesOfItem(atPath: credentials.file)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try credentials.remove("ghcr.io"))
        #expect(try !credentials.remove("ghcr.io"))
        #expect(try credentials.registries() == ["r.internal:5000"])

        // A job's auth: is added for one pull only (and wins over a stored login), never stored.
        let once = folder.appending("once.json")
        try credentials.write(adding: ["r.internal:5000": RegistryLogin(username: "job", password: "j")], to: once)
        #expect(try RegistryCredentials(file: once).login(for: "r.internal:5000")?.username == "job")
        #expect(try credentials.login(for: "r.internal:5000")?.username == "alice")
    }

    @Test func aDamagedLoginsFileSaysHowToRepairIt() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-registry-damaged")
        defer { folder.remove() }
        try folder.write("{not json", to: "auth.json")
        #expect(throws: RegistryError.self) {
            try RegistryCredentials(file: folder.appending("auth.json")).registries()
        }
        do {
            _ = try RegistryCredentials(file: folder.appending("auth.json")).registries()
        } catch {
            #expect(
                error.message
                    == "The registry logins file '\(folder.appending("auth.json"))' is damaged: log in again with "
                    + "`cibox registry login HOST`.")
        }
    }
}

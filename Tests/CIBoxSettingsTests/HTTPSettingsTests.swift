// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

@Suite struct HTTPSettingsTests {
    @Test func readsTheListenAddress() throws {
        let settings = try #require(SettingsLoader.load("http: { listen: \"127.0.0.1:8080\" }", path: "s.yml").0)
        #expect(settings.http.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        let ipv6 = try #require(SettingsLoader.load("http: { listen: \"[::1]:0\" }", path: "s.yml").0)
        #expect(ipv6.http.listen?.description == "[::1]:0")
        #expect(try #require(SettingsLoader.load("cgroups: true", path: "s.yml").0).http.listen == nil)
    }

    @Test func anyAddressIsServedAndPublicReadIsTrueOrFalse() throws {
        let open = try #require(
            SettingsLoader.load("http:\n  listen: 0.0.0.0:8080\n  public_read: true\n", path: "s.yml").0)
        #expect(open.http == HTTPSettings(listen: ListenAddress(host: "0.0.0.0", port: 8080), publicRead: true))
        #expect(!open.http.listen!.isLoopback && ListenAddress(host: "::1", port: 1).isLoopback)
        let text = """
            http:
              public_read: maybe
              port: 80
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:2:16: error: 'public_read' must be true or false",
                "settings.yml:3:3: warning: unknown key 'port' in 'http' is ignored",
            ])
    }

    @Test func readsTheTLSFiles() throws {
        let text =
            "http:\n  listen: 0.0.0.0:8443\n  tls: { certificate: /etc/cibox/cert.pem, key: /etc/cibox/key.pem }\n"
        let settings = try #require(SettingsLoader.load(text, path: "s.yml").0)
        #expect(settings.http.tls == TLSFiles(certificate: "/etc/cibox/cert.pem", key: "/etc/cibox/key.pem"))
        #expect(try #require(SettingsLoader.load("http: { listen: \"127.0.0.1:0\" }", path: "s.yml").0).http.tls == nil)
    }

    @Test(arguments: [
        (
            "http:\n  tls: yes\n", ["settings.yml:2:8: error: 'tls' must be a mapping"]
        ),
        (
            "http:\n  tls:\n    certificate: /etc/cert.pem\n",
            [
                "settings.yml:3:5: error: 'tls' needs both 'certificate' and 'key' (PEM files)\n  hint: write it as tls: "
                    + "{ certificate: /etc/cibox/tls/cert.pem, key: /etc/cibox/tls/key.pem }"
            ]
        ),
        (
            "http:\n  tls: { certificate: cert.pem, key: [a], chain: /c.pem }\n",
            [
                "settings.yml:2:23: error: 'certificate' must be the absolute path of a PEM file\n  hint: write it as "
                    + "certificate: /etc/cibox/tls/cert.pem",
                "settings.yml:2:38: error: 'key' must be the absolute path of a PEM file\n  hint: write it as "
                    + "key: /etc/cibox/tls/key.pem",
                "settings.yml:2:43: warning: unknown key 'chain' in 'tls' is ignored",
            ]
        ),
    ])
    func tlsMistakesNameTheFileAndLine(text: String, expected: [String]) {
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(diagnostics.map(\.formatted) == expected)
    }

    @Test(arguments: [
        ("8080", "'8080' has no port"),
        ("localhost:http", "'http' is not a port (0 to 65535)"),
        ("127.0.0.1:70000", "'70000' is not a port (0 to 65535)"),
        (":8080", "':8080' has no host"),
    ])
    func listenAddressMistakes(text: String, message: String) {
        #expect(throws: ListenAddressError(message)) { try ListenAddress(parsing: text) }
    }
}

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
              tls: yes
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:2:16: error: 'public_read' must be true or false",
                "settings.yml:3:3: warning: unknown key 'tls' in 'http' is ignored",
            ])
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

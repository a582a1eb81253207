// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

@Suite struct ConfigSettingsTests {
    @Test func maxExpandedBytesIsASize() throws {
        let (settings, diagnostics) = SettingsLoader.load("config: { max_expanded_bytes: 64MiB }", path: "settings.yml")
        #expect(diagnostics.isEmpty)
        #expect(try #require(settings).config.maxExpandedBytes == 64 * 1_048_576)
        #expect(Settings().config.maxExpandedBytes == 32 * 1_048_576)
    }

    @Test func mistakesAreReported() {
        let (settings, diagnostics) = SettingsLoader.load(
            "config: { max_expanded_bytes: lots, colour: red }", path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:1:31: error: 'max_expanded_bytes' must be a size such as 32MiB or 64M",
                "settings.yml:1:37: warning: unknown key 'colour' in 'config' is ignored",
            ])
    }
}

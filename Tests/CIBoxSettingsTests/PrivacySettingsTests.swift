// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Testing

/// `report: { world_readable }` and `artifacts: { max_size }` (issue 19).
@Suite struct PrivacySettingsTests {
    @Test func reportAndArtifactsKeys() throws {
        let text = """
            report: { enabled: false, world_readable: true }
            artifacts: { max_size: 500MiB }
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(settings)
        #expect(!loaded.writesReport && loaded.reportIsWorldReadable)
        #expect(loaded.artifactLimit == 500 << 20)
    }

    @Test func theDefaultsKeepTheReportPrivateAndArtifactsUnder2GiB() throws {
        let settings = try #require(SettingsLoader.load("report: true", path: "settings.yml").0)
        #expect(settings.writesReport && !settings.reportIsWorldReadable)
        #expect(settings.artifactLimit == 2 << 30)
    }

    @Test func mistakesAreReported() {
        let text = """
            report: { world_readable: sometimes, colour: red }
            artifacts: { max_size: lots }
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:1:27: error: 'world_readable' must be true or false",
                "settings.yml:1:38: warning: unknown key 'colour' in 'report' is ignored",
                "settings.yml:2:24: error: 'max_size' must be a size such as 2GiB, 500M or 1073741824\n"
                    + "  hint: units: K, M, G, KiB, MiB, GiB (all binary)",
            ])
    }
}

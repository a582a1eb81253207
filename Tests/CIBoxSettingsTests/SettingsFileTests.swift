// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import CIBoxTestSupport
import Testing

@Suite struct SettingsFileTests {
    @Test func noFileMeansTheDefaults() throws {
        let home = try TemporaryDirectory(prefix: "cibox-settings")
        defer { home.remove() }
        let (settings, warnings) = try SettingsFile.load(home: home.path)
        #expect(settings == Settings())
        #expect(warnings.isEmpty)
    }

    @Test func aFileWithErrorsIsRefusedWithEveryDiagnostic() throws {
        let home = try TemporaryDirectory(prefix: "cibox-settings")
        defer { home.remove() }
        try home.write("cgroups: maybe\ncolour: blue\n", to: "settings.yml")
        let path = home.appending("settings.yml")
        let error = #expect(throws: SettingsError.self) { try SettingsFile.load(home: home.path) }
        #expect(error?.code == .invalid)
        #expect(error?.message == "\(path) has errors; fix them or remove the file.")
        #expect(
            error?.diagnostics.map(\.formatted) == [
                "\(path):1:10: error: 'cgroups' must be true or false",
                "\(path):2:1: warning: unknown settings key 'colour' is ignored",
            ])
    }

    @Test func warningsComeWithTheSettings() throws {
        let home = try TemporaryDirectory(prefix: "cibox-settings")
        defer { home.remove() }
        try home.write("report: false\ncolour: blue\n", to: "settings.yml")
        let (settings, warnings) = try SettingsFile.load(home: home.path)
        #expect(settings.writesReport == false)
        #expect(warnings.map(\.message) == ["unknown settings key 'colour' is ignored"])
    }
}

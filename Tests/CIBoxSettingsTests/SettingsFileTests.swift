// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct SettingsFileTests {
    @Test func noFileMeansTheDefaults() throws {
        let home = try TemporaryDirectory(prefix: "cibox-settings")
        defer { home.remove() }
        let (settings, warnings) = try SettingsFile.load(home: home.path, system: home.appending("none.yml"))
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

    @Test func thePackagesFileIsReadForThePackagesHomeWhenItHasNone() throws {
        let home = try TemporaryDirectory(prefix: "cibox-settings")
        defer { home.remove() }
        try home.write("report: false\n", to: "etc/settings.yml")
        let system = home.appending("etc/settings.yml")
        try home.write("", to: "state/.keep")
        let state = home.appending("state")
        #expect(SettingsFile.path(home: state, system: system, packagedHome: state) == system)
        #expect(try SettingsFile.load(home: state, system: system, packagedHome: state).0.writesReport == false)
        // Another home (another user's `cibox run`) never reads the service's file.
        let other = home.appending("other")
        #expect(SettingsFile.path(home: other, system: system, packagedHome: state) == other + "/settings.yml")
        #expect(try SettingsFile.load(home: other, system: system, packagedHome: state).0 == Settings())

        // The home's own file wins, whole: nothing of the package's file is merged into it.
        try home.write("cgroups: false\n", to: "state/settings.yml")
        #expect(SettingsFile.path(home: state, system: system, packagedHome: state) == state + "/settings.yml")
        let (own, _) = try SettingsFile.load(home: state, system: system, packagedHome: state)
        #expect(own.usesCgroups == false)
        #expect(own.writesReport == true)

        // No package file: the defaults, and the home's path is where a new file goes.
        let none = home.appending("none.yml")
        try FileManager.default.removeItem(atPath: state + "/settings.yml")
        #expect(SettingsFile.path(home: state, system: none, packagedHome: state) == state + "/settings.yml")
        #expect(try SettingsFile.load(home: state, system: none, packagedHome: state).0 == Settings())
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxSettings
import Foundation
import Testing

@Suite struct OperationsSettingsTests {
    @Test func readsEveryOperationsKey() throws {
        let text = """
            daemon: { poll_interval: 5s, grace_period: 1m, requeue_interrupted: true }
            auto_cancel:
              default: true
              projects: { web: false }
            gc: { older_than: 7d, keep_last: 10, cache_size: 1GiB, every: 30m }
            notify: { command: /usr/local/bin/tell }
            run_as: cibox
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        let loaded = try #require(settings)
        #expect(loaded.daemon == DaemonSettings(pollInterval: 5, gracePeriod: 60, requeueInterrupted: true))
        #expect(loaded.autoCancel.isEnabled(project: "api"))
        #expect(!loaded.autoCancel.isEnabled(project: "web"))
        #expect(
            loaded.retention
                == RetentionSettings(olderThan: 7 * 86_400, keepLast: 10, cacheSize: 1_073_741_824, every: 1800))
        #expect(loaded.notifyCommand == "/usr/local/bin/tell")
        #expect(loaded.runAs == "cibox")
    }

    @Test func defaultsWhenAbsent() throws {
        let settings = try #require(SettingsLoader.load("cgroups: true", path: "settings.yml").0)
        #expect(settings.daemon == DaemonSettings())
        #expect(settings.daemon.pollInterval == 2 && settings.daemon.gracePeriod == 30)
        #expect(!settings.autoCancel.isEnabled(project: "any"))
        #expect(settings.retention.keepLast == 50 && settings.retention.olderThan == 30 * 86_400)
        #expect(settings.retention.cacheSize == 5 * 1_073_741_824 && settings.retention.every == 3600)
        #expect(settings.notifyCommand == nil && settings.runAs == nil)
    }

    @Test func mistakesAreReported() {
        let text = """
            daemon: { poll_interval: soon, colour: red }
            gc: { keep_last: -1 }
            auto_cancel: { default: maybe }
            """
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(settings == nil)
        #expect(
            diagnostics.map(\.formatted) == [
                "settings.yml:1:26: error: expected a duration such as 2s, 1h, 30d or 2w",
                "settings.yml:1:32: warning: unknown key 'colour' in 'daemon' is ignored",
                "settings.yml:2:18: error: 'keep_last' must be a whole number, 0 or more",
                "settings.yml:3:25: error: 'default' must be true or false",
            ])
    }

    @Test func longDurations() {
        #expect(SettingsLoader.longDuration("30d") == 2_592_000.0)
        #expect(SettingsLoader.longDuration("2w") == 1_209_600.0)
        #expect(SettingsLoader.longDuration("1h30m") == 5400)
        #expect(SettingsLoader.longDuration("x") == nil)
    }
}

@Suite struct ShippedSettingsFileTests {
    @Test func theDefaultSettingsFileLoadsAsTheDefaults() throws {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let text = try String(contentsOfFile: "/" + root + "/Resources/settings.yml", encoding: .utf8)
        let (settings, diagnostics) = SettingsLoader.load(text, path: "settings.yml")
        #expect(diagnostics.isEmpty)
        #expect(settings == Settings())
    }
}

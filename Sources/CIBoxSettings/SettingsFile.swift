// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation

/// `$CIBOX_HOME/settings.yml`, else the machine's `/etc/cibox/settings.yml` (the Debian package's conffile), and
/// what the machine offers when neither says anything. The first file found is the whole of the settings: the two
/// are not merged.
package enum SettingsFile {
    /// The machine's settings file, read when the home has none.
    package static let systemPath = "/etc/cibox/settings.yml"

    /// The settings file of `home`: its own `settings.yml` when there is one, else `system` when that exists, else
    /// the home's (where a new one goes).
    package static func path(home: String, system: String = systemPath) -> String {
        let own = home + "/settings.yml"
        if FileManager.default.fileExists(atPath: own) || !FileManager.default.fileExists(atPath: system) { return own }
        return system
    }

    /// The settings of `home` (defaults when there is no file) and their warnings.
    /// - Throws: ``SettingsError`` `invalid` with every diagnostic when the file has errors.
    package static func load(home: String, system: String = systemPath) throws(SettingsError) -> (
        Settings, [Diagnostic]
    ) {
        let path = path(home: home, system: system)
        guard let data = FileManager.default.contents(atPath: path) else { return (Settings(), []) }
        let (settings, diagnostics) = SettingsLoader.load(String(decoding: data, as: UTF8.self), path: path)
        guard let settings else {
            throw SettingsError(.invalid, "\(path) has errors; fix them or remove the file.", diagnostics: diagnostics)
        }
        return (settings, diagnostics)
    }

    /// This machine's cores and memory.
    package static var machineCapacity: Capacity {
        Capacity(
            millicores: ProcessInfo.processInfo.activeProcessorCount * 1000,
            memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory)
        )
    }
}

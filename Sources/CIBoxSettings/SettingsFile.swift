// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation

/// `$CIBOX_HOME/settings.yml`, and what the machine offers when it says nothing.
package enum SettingsFile {
    /// The settings file of `home`.
    package static func path(home: String) -> String {
        home + "/settings.yml"
    }

    /// The settings of `home` (defaults when there is no file) and their warnings.
    /// - Throws: ``SettingsError`` `invalid` with every diagnostic when the file has errors.
    package static func load(home: String) throws(SettingsError) -> (Settings, [Diagnostic]) {
        let path = path(home: home)
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

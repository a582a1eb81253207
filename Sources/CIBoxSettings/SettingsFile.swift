// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
import Foundation

/// `$CIBOX_HOME/settings.yml`, else for the Debian package's home (`/var/lib/cibox`) the package's
/// `/etc/cibox/settings.yml`, and what the machine offers when neither says anything. The first file found is the
/// whole of the settings: the two are not merged. The package's file is the service's (root's, 0600: it may hold
/// contexts' values, and sets `run_as: cibox`): another home, another user's `cibox run`, never reads it.
package enum SettingsFile {
    /// The package's settings file, read for its home when the home has none.
    package static let systemPath = "/etc/cibox/settings.yml"
    /// The state folder the Debian package makes and its service uses.
    package static let packagedHome = "/var/lib/cibox"

    /// The settings file of `home`: its own `settings.yml` when there is one, else `system` when `home` is the
    /// package's and `system` exists, else the home's (where a new one goes).
    package static func path(home: String, system: String = systemPath, packagedHome: String = packagedHome)
        -> String
    {
        let own = home + "/settings.yml"
        guard Paths.normalize(home) == packagedHome, !FileManager.default.fileExists(atPath: own),
            FileManager.default.fileExists(atPath: system)
        else { return own }
        return system
    }

    /// The settings of `home` (defaults when there is no file) and their warnings.
    /// - Throws: ``SettingsError`` `invalid` with every diagnostic when the file has errors.
    package static func load(home: String, system: String = systemPath, packagedHome: String = packagedHome)
        throws(SettingsError) -> (Settings, [Diagnostic])
    {
        let path = path(home: home, system: system, packagedHome: packagedHome)
        guard FileManager.default.fileExists(atPath: path) else { return (Settings(), []) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(
                .invalid,
                "Cannot read \(path): \(String(cString: strerror(errno))). Run cibox as its owner, or fix its mode.")
        }
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

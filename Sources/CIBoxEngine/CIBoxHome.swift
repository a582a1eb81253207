// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxSettings
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where cibox keeps its state: `--home`, else `$CIBOX_HOME`, else the package's `/var/lib/cibox` for root when the
/// package made it (the build server's daemon and its administrator see one history), else `~/.local/share/cibox`.
package enum CIBoxHome {
    /// The state folder the Debian package makes and its service uses.
    package static let packaged = SettingsFile.packagedHome

    /// The state folder, absolute.
    /// - Parameters:
    ///   - option: the `--home` value, if given.
    ///   - environment: the process environment.
    ///   - packagedHome: the package's state folder when this process should use it by default (root, and the
    ///     folder exists), else nil.
    package static func resolve(
        option: String?, environment: [String: String], packagedHome: String? = packagedHomeForThisUser()
    ) -> String {
        if let option, !option.isEmpty { return Paths.absolute(option) }
        if let value = environment["CIBOX_HOME"], !value.isEmpty { return Paths.absolute(value) }
        if let packagedHome { return packagedHome }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return Paths.normalize(home + "/.local/share/cibox")
    }

    /// ``packaged`` when this process runs as root and the folder exists, else nil.
    package static func packagedHomeForThisUser() -> String? {
        var info = stat()
        guard geteuid() == 0, stat(packaged, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return packaged
    }
}

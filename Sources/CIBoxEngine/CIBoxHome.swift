// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// Where cibox keeps its state: `--home`, else `$CIBOX_HOME`, else `~/.local/share/cibox`.
package enum CIBoxHome {
    /// The state folder, absolute.
    /// - Parameters:
    ///   - option: the `--home` value, if given.
    ///   - environment: the process environment.
    package static func resolve(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return Paths.absolute(option) }
        if let value = environment["CIBOX_HOME"], !value.isEmpty { return Paths.absolute(value) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return Paths.normalize(home + "/.local/share/cibox")
    }
}

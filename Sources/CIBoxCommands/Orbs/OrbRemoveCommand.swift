// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxConfig
import CIBoxEngine
import CIBoxOrbs

/// `cibox orb remove`: deletes one version of an orb from the store.
struct OrbRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove one version of an orb from the orb store.",
        discussion: "Exit status: 0 removed, 2 the store does not have that version."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The orb and its exact version, as `cibox orb list` shows it.", valueName: "namespace/name@version"))
    var orb: String

    func validate() throws {
        _ = try OrbCommand.reference(orb, option: "NAMESPACE/NAME@VERSION")
    }

    func run() throws {
        let reference = try OrbCommand.reference(orb, option: "NAMESPACE/NAME@VERSION")
        do {
            let path = try OrbStore(home: global.homeDirectory).remove(reference)
            Terminal.output("cibox: removed \(reference.text) (\(path))\n")
        } catch {
            throw OrbCommand.fail(error)
        }
    }
}

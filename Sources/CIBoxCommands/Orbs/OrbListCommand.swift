// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxConfig
import CIBoxEngine
import CIBoxOrbs

/// `cibox orb list`: the orbs in the store.
struct OrbListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the orbs in the orb store.",
        discussion: "Columns: NAMESPACE/NAME@VERSION, size, file. Sorted by name, then version (lowest first)."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() throws {
        let store = OrbStore(home: global.homeDirectory)
        let orbs = store.orbs()
        if json {
            Terminal.output(json: JSONValue.array(orbs.map(Self.object)))
            return
        }
        if orbs.isEmpty {
            Terminal.output(
                "No orbs in the store ('\(store.folder)'). Add one with "
                    + "`cibox orb add FILE --name NAMESPACE/NAME@VERSION`.\n")
        }
        for orb in orbs {
            Terminal.output("\(orb.reference.text)\t\(ByteCount.format(Int64(orb.size)))\t\(orb.path)\n")
        }
    }

    /// The `--json` shape of one stored orb.
    static func object(_ orb: StoredOrb) -> JSONValue {
        .object([
            ("reference", .string(orb.reference.text)),
            ("namespace", .string(orb.reference.namespace)),
            ("name", .string(orb.reference.name)),
            ("version", .string(orb.reference.version)),
            ("path", .string(orb.path)),
            ("size", .int(orb.size)),
        ])
    }
}

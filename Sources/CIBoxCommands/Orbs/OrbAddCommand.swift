// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxOrbs
import Foundation

/// `cibox orb add`: checks an orb and stores it under its name and exact version.
struct OrbAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Check an orb's YAML and store it in the orb store.",
        discussion: """
            FILE is a packed orb (from `cibox orb pack`, or `circleci orb source` on a connected machine). It is \
            compiled first, every command, job and executor; an orb with errors is refused with them. The orbs \
            it imports must be in the store already. Exit status: 0 added, 2 refused.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The orb's YAML file, or - for standard input.")
    var file: String

    @Option(help: ArgumentHelp("The orb's name and exact version.", valueName: "namespace/name@version"))
    var name: String

    @Flag(help: "Replace the version if the store has it already.")
    var force = false

    func validate() throws {
        let reference = try OrbCommand.reference(name, option: "--name")
        do throws(OrbError) {
            try OrbStore.checkExactVersion(reference)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let reference = try OrbCommand.reference(name, option: "--name")
        let data =
            file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
        guard let data, let text = String(validating: data, as: UTF8.self) else {
            Terminal.fail("Cannot read '\(file)' as UTF-8 text. Pass the orb's YAML file (from `cibox orb pack`).")
            throw ExitCodes.cannotRun
        }
        let store = OrbStore(home: global.homeDirectory)
        do {
            let (path, warnings) = try store.add(
                text, file: file == "-" ? "<stdin>" : file, as: reference, replacing: force)
            Terminal.print(warnings)
            Terminal.output("cibox: added \(reference.text) (\(path))\n")
        } catch {
            throw OrbCommand.fail(error)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxOrbs

/// `cibox orb pack`: an orb's source folder as one orb YAML, as `circleci orb pack` makes it.
struct OrbPackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack an orb's source folder into one orb YAML on standard output.",
        discussion: """
            FOLDER holds @orb.yml and the folders commands/, jobs/, executors/ and examples/, one element per \
            file (commands/greet.yml is the command greet). A value that is exactly <<include(scripts/x.sh)>> \
            becomes the contents of FOLDER/scripts/x.sh. Problems are printed as FILE:LINE:COLUMN: error: \
            MESSAGE. Exit status: 0 packed, 2 errors found.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The orb's source folder (an orb repository's src/).")
    var folder: String

    func run() throws {
        let result: OrbPackResult
        do {
            result = try OrbSourceFolder.pack(folder)
        } catch {
            throw OrbCommand.fail(error)
        }
        Terminal.print(result.diagnostics)
        guard let text = result.text else {
            let errors = result.diagnostics.count { $0.severity == .error }
            Terminal.error("\(folder): \(errors) error(s); nothing packed\n")
            throw ExitCodes.cannotRun
        }
        Terminal.output(data: text)
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxConfig
import CIBoxEngine
import CIBoxModel
import CIBoxOrbs

/// `cibox orb`: registry orbs for air-gapped machines, packed from their source and kept in the orb store.
struct OrbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orb",
        abstract: "Pack orbs from their source, and add, list or remove them in the orb store.",
        discussion: """
            Configs name registry orbs as NAMESPACE/NAME@VERSION. cibox takes them from the project's \
            .circleci/orbs/ at the pipeline's commit, else from the orb store ($CIBOX_HOME/orbs/); @1.2, @1 \
            and @volatile resolve to the highest version there that fits.
            """,
        subcommands: [OrbPackCommand.self, OrbAddCommand.self, OrbListCommand.self, OrbRemoveCommand.self]
    )

    /// Prints `error`'s diagnostics and message on standard error; the exit status for it (2).
    static func fail(_ error: OrbError) -> ExitCode {
        Terminal.print(error.diagnostics)
        Terminal.fail(error.message)
        return ExitCodes.cannotRun
    }

    /// The reference `text` names, or a usage error that says how to write one.
    static func reference(_ text: String, option: String) throws -> OrbReference {
        guard let reference = OrbReference(parsing: text) else {
            throw ValidationError(
                "\(option) must be NAMESPACE/NAME@VERSION, such as acme/tools@1.2.3; got '\(text)'.")
        }
        return reference
    }
}

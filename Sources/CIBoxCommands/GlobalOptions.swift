// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import Foundation

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The state folder (default: $CIBOX_HOME, else ~/.local/share/cibox).", valueName: "dir"))
    var home: String?

    /// The resolved state folder.
    var homeDirectory: String {
        CIBoxHome.resolve(option: home, environment: ProcessInfo.processInfo.environment)
    }
}

/// cibox's exit codes.
enum ExitCodes {
    /// The pipeline ran and did not succeed.
    static let pipelineFailed = ExitCode(1)
    /// Invalid config, or nothing to run (no repository, no config, unknown workflow).
    static let cannotRun = ExitCode(2)
}

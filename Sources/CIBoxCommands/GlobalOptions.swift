// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxEngine
import CIBoxStore
import Foundation

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The state folder (default: $CIBOX_HOME, else /var/lib/cibox for root where the package made it, else "
                + "~/.local/share/cibox).", valueName: "dir"))
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
    /// An infrastructure failure: cibox could not use its state folder or database (it cannot be made or opened,
    /// is read-only or full, or stayed busy), so the command did not do its work. Trying again later may succeed;
    /// the config is not at fault.
    static let infrastructure = ExitCode(3)

    /// The exit code for a store failure: the database or the state folder failing is ``infrastructure``; a
    /// missing or conflicting row is the input's fault (``cannotRun``).
    static func of(_ error: StoreError) -> ExitCode {
        switch error.code {
        case .cannotOpen, .database: infrastructure
        case .notFound, .conflict: cannotRun
        }
    }

    /// The exit code for a pipeline that could not be made: the store failing is ``infrastructure``; everything
    /// else (no repository, no config, an invalid config, nothing to run) is ``cannotRun``.
    static func of(_ error: EngineError) -> ExitCode {
        error.code == .store ? infrastructure : cannotRun
    }

    /// The words the commands that run pipelines use for their exit statuses in `--help`.
    static let runStatuses =
        "Exit status: 0 success, 1 the pipeline did not succeed, 2 invalid config or nothing to run, "
        + "3 cibox could not use its state folder or database (an infrastructure failure)."
}

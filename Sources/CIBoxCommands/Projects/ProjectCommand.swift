// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser

/// `cibox project`: the repositories the daemon watches and `cibox trigger` names.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Add, list or remove watched repositories.",
        subcommands: [ProjectAddCommand.self, ProjectListCommand.self, ProjectRemoveCommand.self]
    )
}

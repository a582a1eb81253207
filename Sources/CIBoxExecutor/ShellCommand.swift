// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Splits a step's `shell` value into a program and its arguments.
///
/// As CircleCI does, the command is written to a script file and the shell runs that file (its path is the last
/// argument), so shells other than bash (`/bin/sh`, `python3`) work too. A shell named without a slash is looked
/// up on the job's `PATH` by the sandbox.
enum ShellCommand {
    /// CircleCI's default shell.
    static let defaultShell = "/bin/bash -eo pipefail"

    /// The words of `shell`: the program, then its arguments.
    /// - Throws: `ExecutorError.spawnFailed` when the shell is empty.
    static func words(of shell: String) throws(ExecutorError) -> [String] {
        let words = shell.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else {
            throw ExecutorError(.spawnFailed, "The step's shell is empty. Set `shell:` to a program such as /bin/bash.")
        }
        return words
    }
}

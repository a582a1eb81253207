// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Turns a step's `shell` value and command into a program and its arguments.
///
/// As CircleCI does, the command is written to a script file and the shell runs that file, so shells other
/// than bash (`/bin/sh`, `python3`) work too. A shell named without a slash is looked up on `PATH`.
enum ShellCommand {
    /// CircleCI's default shell.
    static let defaultShell = "/bin/bash -eo pipefail"

    /// The program and arguments that run `scriptPath` with `shell`.
    /// - Throws: `ExecutorError.spawnFailed` when the shell is empty or not found on `path`.
    static func invocation(shell: String, scriptPath: String, path: String) throws(ExecutorError) -> (String, [String])
    {
        let words = shell.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let program = words.first else {
            throw ExecutorError(.spawnFailed, "The step's shell is empty. Set `shell:` to a program such as /bin/bash.")
        }
        let executable = try locate(program, path: path)
        return (executable, Array(words.dropFirst()) + [scriptPath])
    }

    private static func locate(_ program: String, path: String) throws(ExecutorError) -> String {
        if program.contains("/") { return program }
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ExecutorError(
            .spawnFailed,
            "The step's shell '\(program)' is not on PATH. Install it or set `shell:` to an absolute path."
        )
    }
}

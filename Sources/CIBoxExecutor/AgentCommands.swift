// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The `circleci` and `circleci-agent` commands a job sees on its PATH: tiny scripts that call back into
/// `cibox agent …`, where cibox implements what CircleCI's agent does (continuation, later test splitting
/// and `step halt`) locally.
enum AgentCommands {
    /// The names installed, each mapped to the same `cibox agent` entry point.
    static let names = ["circleci", "circleci-agent"]

    /// The folder holding the scripts for `executable`: shared by every job of the state folder
    /// `stateDirectory` (`$CIBOX_HOME/bin/<hash of the binary's path>`), so a job makes none of its own.
    static func binDirectory(stateDirectory: String, executable: String) -> String {
        stateDirectory + "/bin/" + StableHash.hex(of: executable).prefix(12)
    }

    /// The scripts already known to be in place in this process.
    private static let installed = Mutex<Set<String>>([])

    /// Writes the scripts once per process and folder (they never change for a given binary). Jobs of one
    /// process install under one lock; other processes are covered by the atomic rename.
    /// - Throws: when the folder or a script cannot be written.
    static func install(calling executable: String, stateDirectory: String) throws {
        let folder = binDirectory(stateDirectory: stateDirectory, executable: executable)
        try installed.withLock { (done: inout Set<String>) throws in
            if done.contains(folder) { return }
            // A job's user runs these: the folders are readable by all, whatever cibox's umask.
            try Folders.make(folder, mode: 0o755)
            chmod(Paths.parent(folder), 0o755)
            chmod(folder, 0o755)
            let quoted = "'" + executable.replacingOccurrences(of: "'", with: "'\\''") + "'"
            let script =
                "#!/bin/sh\n# Installed by cibox: CircleCI's agent commands, done locally.\nexec \(quoted) agent \"$@\"\n"
            for name in names {
                // Another cibox process may run a job that uses these scripts right now: replace them atomically.
                let path = folder + "/" + name
                do {
                    try FileWriter.replace(script, at: path, mode: 0o755)
                } catch {
                    throw ExecutorError(
                        .workspace, "Cannot install '\(path)': \(error.localizedDescription).", cause: error)
                }
            }
            done.insert(folder)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// The `circleci` and `circleci-agent` commands a job sees on its PATH: tiny scripts that call back into
/// `cibox agent …`, where cibox implements what CircleCI's agent does (continuation, later test splitting
/// and `step halt`) locally.
enum AgentCommands {
    /// The names installed, each mapped to the same `cibox agent` entry point.
    static let names = ["circleci", "circleci-agent"]

    /// The folder holding the scripts of the job run whose folder is `home`.
    static func binDirectory(home: String) -> String {
        home + "/.cibox/bin"
    }

    /// Writes the scripts into the job run's folder.
    /// - Throws: when the folder or a script cannot be written.
    static func install(calling executable: String, home: String) throws {
        let folder = binDirectory(home: home)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let quoted = "'" + executable.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let script =
            "#!/bin/sh\n# Installed by cibox for this job: CircleCI's agent commands, done locally.\nexec \(quoted) agent \"$@\"\n"
        for name in names {
            let path = folder + "/" + name
            try FileWriter.write(script, to: path, mode: 0o755)
        }
    }
}

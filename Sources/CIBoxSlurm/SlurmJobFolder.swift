// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// The folder of one job run in the shared folder, where cibox and the agent on the node meet:
///
/// ```
/// <shared>/jobs/<home hash>-<job id>/
///   request.json        what to run (AgentJobRequest), written by cibox, mode 0600 (it holds the job's secrets)
///   job.sh              the sbatch script: runs `cibox agent run-job --folder <this folder>`
///   slurm.out           the script's own output (the agent's messages), written by Slurm
///   logs/<step>.log     each step's output, written by the agent as it comes; cibox copies it to the store
///   logs/containers/<name>.log   each service container's output, copied to the store the same way
///   steps/<step>.started, steps/<step>.json   when each step started, and how it ended
///   result.json         how the job run ended (JobResult), written last
///   work/               the job run's own folder (HOME and ~ of its steps)
/// ```
///
/// The folder name carries a hash of cibox's state folder: job ids are per state folder, and several cibox homes
/// may share one cluster folder.
package struct SlurmJobFolder: Sendable, Equatable {
    /// The folder, absolute.
    package let path: String

    /// The folder of job run `jobID` of the cibox state folder `home` under `sharedDirectory`.
    package init(sharedDirectory: String, home: String, jobID: Int64) {
        path = "\(sharedDirectory)/jobs/\(Self.key(home: home, jobID: jobID))"
    }

    /// The folder at `path` (as the agent is given it).
    package init(path: String) {
        self.path = path
    }

    /// `<home hash>-<job id>`: the folder's name, also in the Slurm job's name.
    package static func key(home: String, jobID: Int64) -> String {
        "\(StableHash.hex(of: home).prefix(8))-\(jobID)"
    }

    /// What to run.
    package var requestFile: String { path + "/request.json" }
    /// The sbatch script.
    package var scriptFile: String { path + "/job.sh" }
    /// Slurm's output file of the script.
    package var outputFile: String { path + "/slurm.out" }
    /// The job run's result.
    package var resultFile: String { path + "/result.json" }
    /// The step logs.
    package var logDirectory: String { path + "/logs" }
    /// The step records.
    package var stepsDirectory: String { path + "/steps" }
    /// The job run's own folder.
    package var workDirectory: String { path + "/work" }

    /// The log of step `index`.
    package func log(step index: Int) -> String { "\(logDirectory)/\(index).log" }
    /// The file saying when step `index` started.
    package func startedFile(step index: Int) -> String { "\(stepsDirectory)/\(index).started" }
    /// The file saying how step `index` ended.
    package func resultFile(step index: Int) -> String { "\(stepsDirectory)/\(index).json" }

    /// The last `count` lines of Slurm's output file (the agent's own messages), or nil when it is empty.
    package func outputTail(lines count: Int = 20) -> String? {
        guard let data = FileManager.default.contents(atPath: outputFile), !data.isEmpty else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return lines.suffix(count + 1).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes the folder and everything in it.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

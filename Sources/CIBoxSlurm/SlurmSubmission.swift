// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
package import CIBoxModel
import Foundation

/// The `sbatch` script and arguments of one job run: pure functions of the request and the settings.
///
/// The script holds cibox's own options as `#SBATCH` lines (so `job.sh` says how it was submitted); the settings'
/// `sbatch_arguments` go on the command line, where they win over the script's lines.
package struct SlurmSubmission: Sendable, Equatable {
    /// The script's text.
    package var script: String
    /// The arguments of `sbatch` before the script's path.
    package var arguments: [String]

    /// The submission of `request` in `folder`, whose agent is the `cibox` binary at `ciboxPath` on the nodes.
    package init(
        request: JobRunRequest, folder: SlurmJobFolder, settings: SlurmSettings, ciboxPath: String, home: String
    ) {
        let name = Self.jobName(home: home, jobID: request.jobID)
        var options = ["--job-name=\(name)"]
        options += Self.resourceOptions(limits: request.limits, timeLimit: request.timeLimit)
        options += [
            "--output=\(folder.outputFile)", "--open-mode=append", "--chdir=\(folder.path)",
            // A job that Slurm started again after a node failure would run its steps twice into one folder.
            "--no-requeue",
        ]
        if let partition = settings.partition { options.append("--partition=\(partition)") }
        if let account = settings.account { options.append("--account=\(account)") }
        var lines = [
            "#!/bin/sh",
            "# cibox job run \(request.jobID): \(request.workflowName)/\(request.jobName) of pipeline "
                + "#\(request.pipelineNumber) of \(request.projectName), resource_class \(request.resourceClass).",
            "# Written by cibox for sbatch; the agent runs the job's steps as cibox runs them on its own machine.",
        ]
        lines += options.map { "#SBATCH \($0)" }
        lines.append("exec \(Self.quoted(ciboxPath)) agent run-job --folder \(Self.quoted(folder.path))")
        script = lines.joined(separator: "\n") + "\n"
        arguments = ["--parsable"] + settings.sbatchArguments
    }

    /// The Slurm job name of job run `jobID` of the state folder `home`: how a cibox that crashed between `sbatch`
    /// and recording the job's id finds the job again.
    package static func jobName(home: String, jobID: Int64) -> String {
        "cibox-" + SlurmJobFolder.key(home: home, jobID: jobID)
    }

    /// `--cpus-per-task`, `--mem` and `--time` for a job run's limits: whole CPUs (rounded up, at least 1),
    /// memory in MiB (rounded up), and the time limit plus a minute in whole minutes, so that cibox's own time limit
    /// (enforced by the agent, with the job's log) comes first and Slurm's is the backstop.
    package static func resourceOptions(limits: ResourceLimits?, timeLimit: Double) -> [String] {
        var options: [String] = []
        if let limits {
            let cpus = max(1, (limits.millicores + 999) / 1000)
            let mebibytes = max(1, (limits.memoryBytes + 1_048_575) / 1_048_576)
            options += ["--cpus-per-task=\(cpus)", "--mem=\(mebibytes)M"]
        }
        let minutes = max(1, Int((timeLimit / 60).rounded(.up)) + 1)
        options.append("--time=\(minutes)")
        return options
    }

    /// `text` in single quotes for sh.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

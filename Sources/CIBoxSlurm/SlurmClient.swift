// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// What cibox asks of a Slurm cluster.
///
/// Implementations are safe to call from many tasks at once. Errors are ``SlurmError``s whose message says which
/// command failed and why; an unknown job is not an error (it is absent from ``states(of:)``).
package protocol SlurmClient: Sendable {
    /// Submits the script at `scriptPath` with `arguments` (`sbatch --parsable ARGUMENTS SCRIPT`) and returns the
    /// job's id.
    func submit(scriptPath: String, arguments: [String]) async throws(SlurmError) -> String
    /// The states of the jobs among `ids` that Slurm still knows.
    func states(of ids: [String]) async throws(SlurmError) -> [String: SlurmJobState]
    /// Asks Slurm to cancel job `id` (its processes get SIGTERM, then SIGKILL); a job that already ended is fine.
    func cancel(_ id: String) async throws(SlurmError)
    /// The ids of the jobs Slurm knows by each of `names` (`--job-name`), newest last.
    func jobIDs(named names: [String]) async throws(SlurmError) -> [String: [String]]
}

/// The Slurm client commands on `PATH`: `sbatch`, `squeue` (every state, so finished jobs too while slurmctld
/// keeps them), `sacct` for jobs it no longer keeps (where accounting runs), and `scancel`.
package struct SlurmCommandLine: SlurmClient {
    /// Seconds a command may take.
    package var timeout: Double

    /// Makes a client.
    package init(timeout: Double = 60) {
        self.timeout = timeout
    }

    /// Runs `sbatch`; see ``SlurmClient``.
    package func submit(scriptPath: String, arguments: [String]) async throws(SlurmError) -> String {
        let output = try await CommandRunner.run("sbatch", arguments + [scriptPath], timeout: timeout)
        let id = Self.jobID(parsable: output.stdout)
        guard output.status == 0, let id else {
            let reason = output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SlurmError(
                .submit,
                "sbatch refused '\(scriptPath)' (exit \(output.status)): \(reason.isEmpty ? output.stdout : reason). "
                    + "Check executors.slurm in settings.yml (partition, account, sbatch_arguments) and the resource "
                    + "class's size against the cluster's nodes.")
        }
        return id
    }

    /// Runs `squeue`, then `sacct` for what squeue no longer knows; see ``SlurmClient``.
    package func states(of ids: [String]) async throws(SlurmError) -> [String: SlurmJobState] {
        guard !ids.isEmpty else { return [:] }
        let list = ids.joined(separator: ",")
        let output = try await CommandRunner.run(
            "squeue", ["--noheader", "--states=all", "--jobs=\(list)", "--format=%i|%T|%r"], timeout: timeout)
        var states: [String: SlurmJobState] = [:]
        if output.status == 0 {
            states = Self.parse(output.stdout)
        } else if !output.stderr.contains("Invalid job id") {
            throw SlurmError(
                .command,
                "squeue failed (exit \(output.status)): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        let missing = ids.filter { states[$0] == nil }
        guard !missing.isEmpty else { return states }
        // Finished jobs leave slurmctld after MinJobAge; accounting (slurmdbd) keeps them, when it runs.
        let accounted = try? await CommandRunner.run(
            "sacct",
            [
                "--noheader", "--parsable2", "--allocations", "--jobs=\(missing.joined(separator: ","))",
                "--format=JobIDRaw,State,Reason",
            ],
            timeout: timeout)
        if let accounted, accounted.status == 0 {
            for (id, state) in Self.parse(accounted.stdout) where missing.contains(id) { states[id] = state }
        }
        return states
    }

    /// Runs `scancel`; see ``SlurmClient``.
    package func cancel(_ id: String) async throws(SlurmError) {
        let output = try await CommandRunner.run("scancel", [id], timeout: timeout)
        let gone = ["Invalid job id", "already completing or completed", "Job/step already completing"]
        guard output.status == 0 || gone.contains(where: output.stderr.contains) else {
            throw SlurmError(
                .command,
                "scancel \(id) failed (exit \(output.status)): "
                    + output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Runs `squeue --name`; see ``SlurmClient``.
    package func jobIDs(named names: [String]) async throws(SlurmError) -> [String: [String]] {
        guard !names.isEmpty else { return [:] }
        let output = try await CommandRunner.run(
            "squeue", ["--noheader", "--states=all", "--name=\(names.joined(separator: ","))", "--format=%i|%j"],
            timeout: timeout)
        guard output.status == 0 else {
            throw SlurmError(
                .command,
                "squeue failed (exit \(output.status)): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        var ids: [String: [String]] = [:]
        for line in output.stdout.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 1).map(String.init)
            guard fields.count == 2, names.contains(fields[1]) else { continue }
            ids[fields[1], default: []].append(fields[0])
        }
        for name in ids.keys { ids[name]?.sort { (Int($0) ?? 0) < (Int($1) ?? 0) } }
        return ids
    }

    /// The job id in `sbatch --parsable` output (`1234` or `1234;cluster`).
    package static func jobID(parsable text: String) -> String? {
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        let id = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return !id.isEmpty && id.allSatisfy({ $0.isNumber || $0 == "_" }) ? id : nil
    }

    /// `ID|STATE|REASON` lines (squeue `--format=%i|%T|%r`, sacct `--parsable2`) as states by id.
    package static func parse(_ text: String) -> [String: SlurmJobState] {
        var states: [String: SlurmJobState] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2, !fields[0].isEmpty, fields[0].allSatisfy(\.isNumber) else { continue }
            states[fields[0]] = SlurmJobState(fields[1], reason: fields.count > 2 ? fields[2] : nil)
        }
        return states
    }
}

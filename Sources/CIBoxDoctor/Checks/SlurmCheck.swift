// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// The Slurm cluster of `executors.slurm`, when settings name one.
package enum SlurmCheck {
    /// The client commands cibox runs.
    package static let commands = ["sbatch", "squeue", "scancel", "sinfo"]

    /// The `slurm` finding.
    /// - Parameters:
    ///   - settings: `executors.slurm`; nil when not configured.
    ///   - missing: the client commands not found on `PATH`.
    ///   - partitions: the partitions `sinfo` lists; nil when it did not answer, with `failure` saying why.
    ///   - sharedWritable: whether cibox may write in the shared folder.
    package static func assess(
        _ settings: SlurmSettings?, missing: [String], partitions: [String]?, failure: String?, sharedWritable: Bool
    ) -> DoctorFinding {
        guard let settings else {
            return DoctorFinding("slurm", .ok, "Not configured (`executors.slurm` in settings.yml).")
        }
        if !missing.isEmpty {
            return DoctorFinding(
                "slurm", .problem, "Configured, but \(missing.joined(separator: ", ")) not found on PATH.",
                fix: "Install Slurm's client commands: `apt install slurm-client`, with this cluster's slurm.conf.")
        }
        guard let partitions else {
            return DoctorFinding(
                "slurm", .problem, "`sinfo` did not answer: \(failure ?? "no output").",
                fix: "Check that slurmctld runs and this machine's slurm.conf (and munge key) are the cluster's.")
        }
        if let wanted = settings.partition, !partitions.contains(wanted) {
            return DoctorFinding(
                "slurm", .problem,
                "The partition '\(wanted)' is not among the cluster's: \(partitions.joined(separator: ", ")).",
                fix: "Set `executors.slurm.partition` in settings.yml to one of them.")
        }
        guard sharedWritable else {
            return DoctorFinding(
                "slurm", .problem, "The shared folder \(settings.sharedDirectory) does not exist or is not writable.",
                fix: "Mount it at the same path on this machine and every node, writable by cibox's user.")
        }
        return DoctorFinding(
            "slurm", .ok,
            "sinfo answers (partitions \(partitions.joined(separator: ", "))); shared folder "
                + "\(settings.sharedDirectory) writable.")
    }
}

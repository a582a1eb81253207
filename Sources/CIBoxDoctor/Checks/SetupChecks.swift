// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// The settings file and the job agent.
package enum SetupChecks {
    /// The `settings` finding.
    /// - Parameters:
    ///   - path: the settings file in use (it may not exist).
    ///   - exists: whether it exists.
    ///   - diagnostics: what loading it said (errors refuse the file).
    ///   - exposedSecrets: whether it holds contexts' or projects' environment values and other users may read it.
    ///   - readError: why it could not be read, when it could not.
    package static func assessSettings(
        path: String, exists: Bool, diagnostics: [Diagnostic], exposedSecrets: Bool, readError: String? = nil
    ) -> DoctorFinding {
        guard exists else { return DoctorFinding("settings", .ok, "No settings file (\(path)): the defaults.") }
        if let readError {
            return DoctorFinding(
                "settings", .problem, readError,
                fix: "Run doctor as the user cibox runs as (root for the service); that user must own the file.")
        }
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            return DoctorFinding(
                "settings", .problem,
                "\(path) has errors, so every command refuses it: \(lines(errors)).",
                fix: "Fix them (`cibox doctor` checks again), or move the file away to use the defaults.")
        }
        if exposedSecrets {
            return DoctorFinding(
                "settings", .problem,
                "\(path) holds contexts' or projects' environment values, and other users (jobs included) may read it.",
                fix: "`chmod 600 \(path)`, or keep secrets with `cibox context set` (in the database) instead.")
        }
        if !diagnostics.isEmpty {
            return DoctorFinding(
                "settings", .warning,
                "\(path): \(lines(diagnostics)).",
                fix: "Fix or remove what it warns about.")
        }
        return DoctorFinding("settings", .ok, "\(path) reads without a warning.")
    }

    /// The `agent` finding: the static program each job's sandbox starts.
    package static func assessAgent(path: String, executable: Bool) -> DoctorFinding {
        guard executable else {
            return DoctorFinding(
                "agent", .problem, "The job agent \(path) is missing or not executable: no job can start.",
                fix: "Reinstall cibox (`apt install --reinstall cibox`), or put cibox-sandbox beside the cibox program."
            )
        }
        return DoctorFinding("agent", .ok, "\(path).")
    }

    /// The first three diagnostics, each as its first line (`FILE:LINE:COLUMN: error: MESSAGE`, without its hint).
    static func lines(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.prefix(3).map { String($0.formatted.prefix { $0 != "\n" }) }.joined(separator: "; ")
    }
}

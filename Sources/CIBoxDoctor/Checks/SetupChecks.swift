// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// The settings file and the job agent.
package enum SetupChecks {
    /// The `settings` finding.
    /// - Parameters:
    ///   - path: the settings file in use (it may not exist).
    ///   - exists: whether it exists.
    ///   - diagnostics: what loading it said (errors refuse the file).
    ///   - exposedContexts: whether it holds context values and other users may read it.
    package static func assessSettings(
        path: String, exists: Bool, diagnostics: [Diagnostic], exposedContexts: Bool
    ) -> DoctorFinding {
        guard exists else { return DoctorFinding("settings", .ok, "No settings file (\(path)): the defaults.") }
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            return DoctorFinding(
                "settings", .problem,
                "\(path) has errors, so every command refuses it: \(errors.prefix(3).map(\.formatted).joined(separator: "; ")).",
                fix: "Fix them (`cibox doctor` checks again), or move the file away to use the defaults.")
        }
        if exposedContexts {
            return DoctorFinding(
                "settings", .warning, "\(path) holds contexts' values and other users may read it.",
                fix: "`chmod 600 \(path)`, or keep secrets with `cibox context set` (in the database) instead.")
        }
        if !diagnostics.isEmpty {
            return DoctorFinding(
                "settings", .warning,
                "\(path): \(diagnostics.prefix(3).map(\.formatted).joined(separator: "; ")).",
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
}

// cibox — CI in a box. MIT licence, see LICENSE.

/// A program cibox runs (runc, skopeo, podman): found or not, its version, and whether that version is one cibox is
/// tested with.
package struct ToolCheck: Sendable {
    /// Its name, as the check is named.
    package var name: String
    /// What cibox does with it, for the messages (`runs jobs in their docker: images`).
    package var purpose: String
    /// The Debian package that has it.
    package var debianPackage: String
    /// The oldest version cibox is tested with (Debian 12's).
    package var oldest: [Int]
    /// A problem when it is missing (else a warning: cibox works without it, minus `purpose`).
    package var required: Bool

    /// The tools `cibox doctor` looks at.
    package static let runc = ToolCheck(
        name: "runc", purpose: "runs jobs in their docker: images and their service containers", debianPackage: "runc",
        oldest: [1, 1], required: true)
    /// skopeo.
    package static let skopeo = ToolCheck(
        name: "skopeo", purpose: "pulls images from registries (`cibox image load` works without it)",
        debianPackage: "skopeo", oldest: [1, 9], required: false)
    /// podman.
    package static let podman = ToolCheck(
        name: "podman", purpose: "gives jobs a Docker engine (setup_remote_docker, `docker build`)",
        debianPackage: "podman", oldest: [4, 3], required: false)

    /// The finding.
    /// - Parameters:
    ///   - path: where it was found; nil when it was not.
    ///   - versionOutput: what `PROGRAM --version` printed (its status 0), nil when it failed, with `failure` saying how.
    package func assess(path: String?, versionOutput: String?, failure: String? = nil) -> DoctorFinding {
        let install = "Install it: `apt install \(debianPackage)` (or from the offline bundle)."
        guard let path else {
            return DoctorFinding(name, required ? .problem : .warning, "Not found: nothing \(purpose).", fix: install)
        }
        guard let versionOutput, let version = Self.version(in: versionOutput) else {
            let reason = failure.map { ": \($0)" } ?? ""
            return DoctorFinding(
                name, .problem, "\(path) does not answer `--version`\(reason).",
                fix: "Reinstall it: `apt install --reinstall \(debianPackage)`.")
        }
        let text = version.map(String.init).joined(separator: ".")
        if version.lexicographicallyPrecedes(oldest) {
            return DoctorFinding(
                name, .warning,
                "\(path) is version \(text); cibox is tested with \(oldest.map(String.init).joined(separator: ".")) "
                    + "or newer.",
                fix: "Upgrade it: `apt install \(debianPackage)` from Debian 12 or newer.")
        }
        return DoctorFinding(name, .ok, "\(path), version \(text).")
    }

    /// The first dotted version number in `output` (`runc version 1.1.5`, `podman version 4.3.1`): its numbers.
    package static func version(in output: String) -> [Int]? {
        for word in output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let trimmed = word.drop { $0 == "v" }.prefix { $0.isNumber || $0 == "." }
            let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty }) else { continue }
            return parts.compactMap { Int($0) }
        }
        return nil
    }
}

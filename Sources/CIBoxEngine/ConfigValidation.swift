// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
import CIBoxExecutor
import CIBoxGit
package import CIBoxModel
import CIBoxOrbs
import CIBoxPlanner
import Foundation

/// The outcome of `cibox validate`.
package struct ValidationReport: Sendable {
    /// The config file checked, as shown in diagnostics.
    package var file: String
    /// Every problem found.
    package var diagnostics: [Diagnostic]
    /// The expanded configuration when there was no error.
    package var configuration: Configuration?
    /// The branch assumed (the work tree's), for planning.
    package var branch: String?
}

/// Checks a config without running it: the file in the work tree (what the user edits), or a file named directly.
package enum ConfigValidation {
    /// Validates the config at or around `path` (a config file, or a folder inside a repository or project).
    /// - Parameters:
    ///   - path: A config file, or a folder inside a repository or project.
    ///   - parameters: Pipeline parameters, as text.
    ///   - home: The state folder, for its orb store.
    ///   - allowMissingOrbs: Whether a missing registry orb is only a warning.
    ///   - maxExpandedBytes: The most text the config may expand to (settings' `config.max_expanded_bytes`).
    /// - Throws: ``EngineError`` `noConfig` when there is no config to check.
    package static func validate(
        path: String, parameters: [String: String] = [:], home: String? = nil, allowMissingOrbs: Bool = false,
        maxExpandedBytes: Int = ConfigSettings.defaultMaxExpandedBytes
    ) throws(EngineError) -> ValidationReport {
        let absolute = Paths.absolute(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) else {
            throw EngineError(
                .noConfig, "'\(path)' does not exist. Pass a config file or a folder inside a repository.")
        }
        let (file, shown, branch, root) = try locate(absolute, isFolder: isFolder.boolValue, given: path)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EngineError(.noConfig, "Cannot read '\(file)'. Check its permissions.")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw EngineError(.invalidConfig, "\(shown) is not UTF-8 text. Save it as UTF-8.")
        }
        let values = PipelineValues(
            id: "00000000-0000-0000-0000-000000000000", number: 1, projectGitURL: absolute, branch: branch,
            revision: String(repeating: "0", count: 40)
        )
        let orbs = LocalOrbSource(
            storeFolder: (home ?? "/nonexistent") + "/orbs", project: root.map { .folder($0) } ?? .none
        )
        let result = ConfigCompiler.compile(
            ConfigSource(path: shown, text: text), values: values, parameters: parameters,
            options: CompileOptions(orbs: orbs, allowMissingOrbs: allowMissingOrbs, maxExpandedBytes: maxExpandedBytes)
        )
        var diagnostics = allDiagnostics(result)
        if let configuration = result.configuration, !MountNamespaces.areAvailable {
            diagnostics += unhonouredWorkingDirectories(configuration)
        }
        let configuration = diagnostics.containsError ? nil : result.configuration
        return ValidationReport(
            file: shown, diagnostics: diagnostics, configuration: configuration, branch: branch
        )
    }

    /// The compiler's diagnostics, then the planner's structural errors (`requires` cycles, unknown or duplicate
    /// job names) of what compiled: every error of a config in one pass.
    static func allDiagnostics(_ result: CompileResult) -> [Diagnostic] {
        guard let configuration = result.partialConfiguration else { return result.diagnostics }
        let known = Set(result.diagnostics)
        return result.diagnostics + Planner.validate(configuration).filter { !known.contains($0) }
    }

    /// The config file to read, the name to show for it, the branch to assume, and the project's root.
    private static func locate(
        _ absolute: String, isFolder: Bool, given: String
    ) throws(EngineError) -> (String, String, String?, String?) {
        guard isFolder else {
            // A config file named directly: its project is the folder holding `.circleci/`, if that is where it is.
            let folder = (absolute as NSString).deletingLastPathComponent
            let root = folder.hasSuffix("/.circleci") ? String(folder.dropLast("/.circleci".count)) : nil
            return (absolute, given, nil, root)
        }
        GitLibrary.initialize()
        var root = absolute
        var branch: String?
        if let repository = try? GitRepository.open(discoveringFrom: absolute),
            let workTree = repository.workingDirectory
        {
            root = workTree
            branch = repository.headBranch()
        }
        for candidate in configPaths where FileManager.default.fileExists(atPath: root + "/" + candidate) {
            return (root + "/" + candidate, candidate, branch, root)
        }
        throw EngineError(
            .noConfig, "No .circleci/config.yml in '\(root)'. Create one, or pass the config file itself.")
    }

    /// A warning for each job whose absolute working directory (outside the images' homes) this machine cannot give
    /// it as a folder of its own, because jobs here cannot have a mount namespace: it is used as written, shared
    /// with other jobs and left behind.
    static func unhonouredWorkingDirectories(_ configuration: Configuration) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for workflow in configuration.workflows {
            for job in workflow.jobs {
                guard let directory = job.spec?.workingDirectory, directory.hasPrefix("/"),
                    !JobPaths.hostImageHomes.contains(where: { Paths.isInside(directory, root: $0) }),
                    !Paths.isInside(directory, root: "/tmp")
                else { continue }
                warnings.append(
                    Diagnostic(
                        .warning, at: job.location,
                        "job '\(job.name)' works in '\(directory)', which this machine cannot give it as a folder of "
                            + "its own (jobs here cannot have a mount namespace): it is used as written, shared with "
                            + "other jobs and left behind",
                        hint: "run cibox as root, or allow unprivileged user namespaces (sysctl "
                            + "kernel.unprivileged_userns_clone=1), or use a working_directory under ~"))
            }
        }
        return warnings
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
import CIBoxGit
package import CIBoxModel
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
}

/// Checks a config without running it: the file in the work tree (what the user edits), or a file named directly.
package enum ConfigValidation {
    /// Validates the config at or around `path` (a config file, or a folder inside a repository or project).
    /// - Throws: ``EngineError`` `noConfig` when there is no config to check.
    package static func validate(path: String, parameters: [String: String] = [:]) throws(EngineError)
        -> ValidationReport
    {
        let absolute = Paths.absolute(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder) else {
            throw EngineError(
                .noConfig, "'\(path)' does not exist. Pass a config file or a folder inside a repository.")
        }
        let (file, shown, branch) = try locate(absolute, isFolder: isFolder.boolValue, given: path)
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
        let result = ConfigCompiler.compile(
            ConfigSource(path: shown, text: text), values: values, parameters: parameters)
        var diagnostics = result.diagnostics
        if let configuration = result.configuration { diagnostics += Planner.validate(configuration) }
        let configuration = diagnostics.containsError ? nil : result.configuration
        return ValidationReport(file: shown, diagnostics: diagnostics, configuration: configuration)
    }

    /// The config file to read, the name to show for it, and the branch to assume.
    private static func locate(_ absolute: String, isFolder: Bool, given: String) throws(EngineError) -> (
        String, String, String?
    ) {
        guard isFolder else { return (absolute, given, nil) }
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
            return (root + "/" + candidate, candidate, branch)
        }
        throw EngineError(
            .noConfig, "No .circleci/config.yml in '\(root)'. Create one, or pass the config file itself.")
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// A config file's text and the path under which diagnostics show it.
package struct ConfigSource: Sendable {
    /// The path shown in diagnostics, for example `.circleci/config.yml`.
    package var path: String
    /// The file's contents.
    package var text: String

    /// Makes a source.
    package init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// What compiling a config gives: the configuration when there is no error, and every problem found.
package struct CompileResult: Sendable {
    /// The compiled configuration; `nil` exactly when `diagnostics` contains an error.
    package var configuration: Configuration?
    /// All errors and warnings, in file order of discovery.
    package var diagnostics: [Diagnostic]
    /// The jobs the config defines under `jobs:`, then those of its inline orbs as `alias/job`, sorted.
    package var definedJobs: [String] = []
    /// The configuration as far as it compiled, also when there are errors (jobs with errors left out), so that
    /// later checks (the planner's `requires` cycles) report their errors in the same pass; `nil` only when the
    /// config could not be read at all. Never run.
    package var partialConfiguration: Configuration?

    /// Makes a result.
    package init(configuration: Configuration?, diagnostics: [Diagnostic]) {
        self.configuration = configuration
        self.diagnostics = diagnostics
    }
}

/// Compiles CircleCI config text into a ``Configuration``: parse YAML, check and decode every section, and
/// collect all problems rather than stopping at the first one. Pure: no I/O (orbs come through an ``OrbSource``).
package enum ConfigCompiler {
    /// The config versions cibox reads.
    static let supportedVersions: Set<String> = ["2", "2.0", "2.1"]

    /// Compiles `source` without registry orbs (only inline and built-in orbs).
    ///
    /// - Parameters:
    ///   - source: The config file.
    ///   - values: The pipeline's `pipeline.*` values.
    ///   - parameters: Pipeline parameters given by the trigger, by name, as text.
    /// - Returns: The configuration (unless there is an error) and the diagnostics.
    package static func compile(
        _ source: ConfigSource, values: PipelineValues, parameters: [String: String] = [:]
    ) -> CompileResult {
        compile(source, values: values, parameters: parameters, options: CompileOptions())
    }

    /// Compiles `source`: pipeline parameters, orbs, commands, executors, jobs, matrices and workflows.
    ///
    /// - Parameters:
    ///   - source: The config file.
    ///   - values: The pipeline's `pipeline.*` values.
    ///   - parameters: Pipeline parameters given by the trigger, by name, as text (converted to their types).
    ///   - options: Where registry orbs come from, and whether a missing orb is only a warning.
    /// - Returns: The configuration (unless there is an error) and every diagnostic, each reported once.
    package static func compile(
        _ source: ConfigSource, values: PipelineValues, parameters: [String: String], options: CompileOptions
    ) -> CompileResult {
        let (root, yamlDiagnostics) = YAMLReader.parse(
            source.text, file: source.path, maxExpandedBytes: options.maxExpandedBytes)
        let decoder = NodeDecoder()
        var compilation = ConfigCompilation(file: source.path, options: options, values: values, decoder: decoder)
        let configuration = root.flatMap { compilation.compileRoot($0, parameters: parameters) }
        if root == nil, yamlDiagnostics.isEmpty {
            decoder.error(
                SourceLocation(file: source.path, line: 1, column: 1), "the config is empty",
                hint: "start the file with 'version: 2.1', then 'jobs:' and 'workflows:'")
        }
        let diagnostics = Array(OrderedSet(yamlDiagnostics + decoder.diagnostics))
        var result = CompileResult(
            configuration: diagnostics.containsError ? nil : configuration, diagnostics: diagnostics)
        result.definedJobs = compilation.scopes.definedJobs
        result.partialConfiguration = configuration
        return result
    }
}

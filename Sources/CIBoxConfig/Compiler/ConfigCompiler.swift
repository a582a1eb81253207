// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

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

    /// Makes a result.
    package init(configuration: Configuration?, diagnostics: [Diagnostic]) {
        self.configuration = configuration
        self.diagnostics = diagnostics
    }
}

/// Compiles CircleCI config text into a ``Configuration``: parse YAML, check and decode every section, and
/// collect all problems rather than stopping at the first one. Pure: no I/O.
package enum ConfigCompiler {
    /// The config versions cibox reads.
    static let supportedVersions: Set<String> = ["2", "2.0", "2.1"]

    /// Compiles `source`.
    ///
    /// - Parameters:
    ///   - source: The config file.
    ///   - values: The pipeline's `pipeline.*` values (for `<< pipeline.* >>`, once substitution exists).
    ///   - parameters: Pipeline parameters given by the trigger, by name.
    /// - Returns: The configuration (unless there is an error) and the diagnostics.
    package static func compile(
        _ source: ConfigSource, values: PipelineValues, parameters: [String: String] = [:]
    ) -> CompileResult {
        let (root, yamlDiagnostics) = YAMLReader.parse(source.text, file: source.path)
        var compilation = Compilation(file: source.path)
        let configuration = root.flatMap { compilation.compileRoot($0, parameters: parameters) }
        if root == nil, yamlDiagnostics.isEmpty {
            compilation.decoder.error(
                SourceLocation(file: source.path, line: 1, column: 1), "the config is empty",
                hint: "start the file with 'version: 2.1', then 'jobs:' and 'workflows:'")
        }
        let diagnostics = yamlDiagnostics + compilation.decoder.diagnostics
        return CompileResult(configuration: diagnostics.containsError ? nil : configuration, diagnostics: diagnostics)
    }
}

/// The state of one compilation: the diagnostics so far and the jobs defined under `jobs:`.
struct Compilation {
    /// The file name for locations.
    let file: String
    /// Typed access and the diagnostics found so far.
    var decoder = NodeDecoder()
    /// The names under `jobs:`, including jobs with errors (so workflows do not report them as undefined).
    var jobNames: Set<String> = []
    /// The jobs that compiled without error.
    var jobs: [String: JobSpec] = [:]

    init(file: String) {
        self.file = file
    }

    /// Compiles the root mapping; `nil` when a section could not be read at all.
    mutating func compileRoot(_ root: ConfigNode, parameters: [String: String]) -> Configuration? {
        guard let entries = decoder.mapping(root, "config") else { return nil }
        checkTopLevelKeys(entries)
        let version = compileVersion(root)
        checkPipelineParameters(root, parameters: parameters)
        if let jobsNode = root["jobs"] {
            compileJobs(jobsNode)
        } else {
            decoder.error(root.location, "the config has no 'jobs'", hint: "define jobs under a top-level 'jobs:' key")
        }
        let workflows: [WorkflowDefinition]
        if let workflowsNode = root["workflows"] {
            workflows = compileWorkflows(workflowsNode)
        } else {
            workflows = implicitWorkflows(root, version: version)
        }
        guard let version else { return nil }
        return Configuration(version: version, workflows: workflows)
    }

    mutating func checkTopLevelKeys(_ entries: [ConfigMappingEntry]) {
        let notYet: Set<String> = ["orbs", "commands", "executors", "parameters", "setup", "job-groups"]
        for entry in entries where !["version", "jobs", "workflows"].contains(entry.key) {
            if notYet.contains(entry.key) {
                decoder.warning(
                    entry.keyLocation, "top-level '\(entry.key)' is not supported by cibox yet and is ignored")
            } else {
                decoder.warning(
                    entry.keyLocation, "unknown top-level key '\(entry.key)' is ignored",
                    hint: "fine for a key that only holds YAML anchors")
            }
        }
    }

    mutating func compileVersion(_ root: ConfigNode) -> String? {
        let hint = "cibox supports version 2, 2.0 and 2.1"
        guard let node = root["version"] else {
            decoder.error(root.location, "the config has no 'version'", hint: hint)
            return nil
        }
        guard let scalar = node.scalar, Self.isSupportedVersion(scalar.text) else {
            decoder.error(node.location, "unsupported config version \(node.kindDescription)", hint: hint)
            return nil
        }
        return scalar.text
    }

    static func isSupportedVersion(_ text: String) -> Bool {
        ConfigCompiler.supportedVersions.contains(text)
    }

    /// Pipeline parameters must be declared; declared ones are not substituted yet.
    mutating func checkPipelineParameters(_ root: ConfigNode, parameters: [String: String]) {
        let declared = root["parameters"]?.entries?.map(\.key) ?? []
        let location = root.entry("parameters")?.keyLocation ?? root.location
        for name in parameters.keys.sorted() where !declared.contains(name) {
            decoder.error(
                location, "unknown pipeline parameter '\(name)'",
                hint: "declare it under the top-level 'parameters:' key, or do not pass it")
        }
    }

    /// The implicit `build` workflow of a config without `workflows:` (version 2 and 2.0 only).
    mutating func implicitWorkflows(_ root: ConfigNode, version: String?) -> [WorkflowDefinition] {
        guard version == "2" || version == "2.0" else {
            if version != nil {
                decoder.error(
                    root.location, "the config has no 'workflows'",
                    hint: "add a 'workflows:' key listing the jobs to run")
            }
            return []
        }
        guard jobNames.contains("build") else {
            if let jobsKey = root.entry("jobs") {
                decoder.error(
                    jobsKey.keyLocation,
                    "a version \(version ?? "2") config without 'workflows' needs a job named 'build'",
                    hint: "rename the job to run to 'build', or add a 'workflows:' key")
            }
            return []
        }
        let job = WorkflowJob(name: "build", spec: jobs["build"], location: root.location)
        return [WorkflowDefinition(name: "build", jobs: [job], location: root.location)]
    }
}

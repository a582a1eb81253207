// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import CIBoxYAML

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
        let (root, yamlDiagnostics) = YAMLReader.parse(source.text, file: source.path)
        var compilation = Compilation(file: source.path, options: options, values: values)
        let configuration = root.flatMap { compilation.compileRoot($0, parameters: parameters) }
        if root == nil, yamlDiagnostics.isEmpty {
            compilation.decoder.error(
                SourceLocation(file: source.path, line: 1, column: 1), "the config is empty",
                hint: "start the file with 'version: 2.1', then 'jobs:' and 'workflows:'")
        }
        var seen: Set<Diagnostic> = []
        let diagnostics = (yamlDiagnostics + compilation.decoder.diagnostics).filter { seen.insert($0).inserted }
        var result = CompileResult(
            configuration: diagnostics.containsError ? nil : configuration, diagnostics: diagnostics)
        result.definedJobs = compilation.definedJobs
        return result
    }
}

/// The state of one compilation: options, element scopes, pipeline parameters and the diagnostics so far.
struct Compilation {
    /// The file name for locations.
    let file: String
    /// Orb source and missing-orb policy.
    let options: CompileOptions
    /// Typed access and the diagnostics found so far.
    let decoder: NodeDecoder
    /// Element scopes: 0 is the config, the others orbs.
    var scopes: [ElementScope] = [ElementScope(name: "the config", isOrb: false)]
    /// Loaded registry orbs by reference text, as scope indices.
    var orbCache: [String: Int] = [:]
    /// The pipeline parameters' values, typed.
    var pipelineParameters: [String: ConfigNode] = [:]
    /// The `pipeline.*` values by full name.
    var pipelineValues: [String: ConfigNode] = [:]
    /// Nodes produced by expansion so far (see ``expansionBudget``).
    var expandedNodes = 0
    /// Whether the expansion budget was exceeded (reported once).
    var isOverBudget = false
    /// The compiled jobs of invocations without arguments, by job name (many workflows reuse them).
    var jobCache: [String: JobSpec?] = [:]
    /// The names of the jobs workflows use.
    var invokedJobs: Set<String> = []

    init(file: String, options: CompileOptions, values: PipelineValues, decoder: NodeDecoder = NodeDecoder()) {
        self.file = file
        self.options = options
        self.decoder = decoder
        self.pipelineValues = Self.pipelineValueNodes(values, file: file)
    }

    /// The config's own jobs and its inline orbs' jobs (`alias/job`), sorted.
    var definedJobs: [String] {
        var names = Array(scopes[0].elements[.job]?.keys ?? [:].keys)
        for (alias, scope) in scopes[0].orbs where scopes[scope].name == "orb '\(alias)'" {
            names += scopes[scope].elements[.job]?.keys.map { "\(alias)/\($0)" } ?? []
        }
        return names.sorted()
    }

    /// The scope of places outside elements: pipeline parameters and values only.
    var pipelineScope: TemplateScope {
        TemplateScope(
            parameters: nil, element: "the workflow", pipelineParameters: pipelineParameters,
            pipelineValues: pipelineValues, matrix: nil)
    }

    /// Compiles the root mapping; `nil` when a section could not be read at all.
    mutating func compileRoot(_ root: ConfigNode, parameters: [String: String]) -> Configuration? {
        guard let entries = decoder.mapping(root, "config") else { return nil }
        let version = compileVersion(root)
        checkTopLevelKeys(entries, version: version)
        let isSetup = compileSetup(root, version: version)
        pipelineParameters = compilePipelineParameters(root, given: parameters)
        loadScope(root, into: 0, depth: 0)
        if root["jobs"] == nil, version != "2.1" {
            decoder.error(root.location, "the config has no 'jobs'", hint: "define jobs under a top-level 'jobs:' key")
        }
        var configuration = Configuration(version: version ?? "2.1", workflows: [], isSetup: isSetup)
        if let workflowsNode = root["workflows"] {
            compileWorkflows(workflowsNode, into: &configuration)
        } else {
            configuration.workflows = implicitWorkflows(root, version: version)
        }
        checkUninvokedJobs(configuration)
        guard version != nil else { return nil }
        return configuration
    }

    mutating func checkTopLevelKeys(_ entries: [ConfigMappingEntry], version: String?) {
        let known: Set<String> = [
            "version", "jobs", "workflows", "orbs", "commands", "executors", "parameters", "setup",
        ]
        for entry in entries where !known.contains(entry.key) {
            if entry.key == "job-groups" {
                decoder.warning(
                    entry.keyLocation, "top-level 'job-groups' is not supported by cibox yet and is ignored")
            } else {
                decoder.warning(
                    entry.keyLocation, "unknown top-level key '\(entry.key)' is ignored",
                    hint: "fine for a key that only holds YAML anchors")
            }
        }
        guard let version, version != "2.1" else { return }
        for entry in entries where ["orbs", "commands", "executors", "parameters", "setup"].contains(entry.key) {
            decoder.error(
                entry.keyLocation, "top-level '\(entry.key)' needs 'version: 2.1', the config says \(version)",
                hint: "change the first line to 'version: 2.1'")
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

    /// `setup: true|false`.
    mutating func compileSetup(_ root: ConfigNode, version: String?) -> Bool {
        guard let node = root["setup"] else { return false }
        return decoder.bool(node, "setup") ?? false
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
        guard scopes[0].elements[.job]?["build"] != nil else {
            if let jobsKey = root.entry("jobs") {
                decoder.error(
                    jobsKey.keyLocation,
                    "a version \(version ?? "2") config without 'workflows' needs a job named 'build'",
                    hint: "rename the job to run to 'build', or add a 'workflows:' key")
            }
            return []
        }
        let spec = compiledJob(JobInvocation(job: "build", location: root.location))
        let job = WorkflowJob(name: "build", spec: spec ?? nil, location: root.location)
        return [WorkflowDefinition(name: "build", jobs: [job], location: root.location)]
    }
}

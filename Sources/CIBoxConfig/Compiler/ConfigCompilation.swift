// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// The root pass of one config's compilation: the version, the top-level keys, `setup`, the pipeline parameters,
/// the config's elements and orbs (``OrbLoader``), then the workflows (``WorkflowCompiler``), which expand and
/// compile the jobs they use.
struct ConfigCompilation {
    /// The file name for locations.
    let file: String
    /// Orb source and missing-orb policy.
    let options: CompileOptions
    /// Where problems go.
    let decoder: NodeDecoder
    /// The pipeline's templates (its parameters are read with the root).
    var templates: PipelineTemplates
    /// The config's and its orbs' elements, once loaded.
    private(set) var scopes = ElementScopes()

    /// A compilation of `file` for a pipeline with `values`, reporting to `decoder`.
    init(file: String, options: CompileOptions, values: PipelineValues, decoder: NodeDecoder) {
        self.file = file
        self.options = options
        self.decoder = decoder
        self.templates = PipelineTemplates(values: values, file: file)
    }

    /// Compiles the root mapping; `nil` when a section could not be read at all.
    mutating func compileRoot(_ root: ConfigNode, parameters: [String: String]) -> Configuration? {
        guard let entries = decoder.mapping(root, "config") else { return nil }
        let version = compileVersion(root)
        checkTopLevelKeys(entries, version: version)
        let isSetup = compileSetup(root)
        templates.pipelineParameters = ParameterBinding(decoder: decoder).pipelineParameters(root, given: parameters)
        let budget = ExpansionBudget(decoder: decoder, byteLimit: options.maxExpandedBytes)
        var loader = OrbLoader(
            decoder: decoder, options: options,
            substitution: Substitution(decoder: decoder, budget: budget, file: file),
            pipelineScope: templates.pipelineScope)
        loader.loadScope(root, into: 0, depth: 0)
        scopes = loader.scopes
        if root["jobs"] == nil, version != "2.1" {
            decoder.error(root.location, "the config has no 'jobs'", hint: "define jobs under a top-level 'jobs:' key")
        }
        let context = ExpansionContext(
            scopes: scopes, templates: templates, file: file, allowMissingOrbs: options.allowMissingOrbs,
            decoder: decoder, budget: budget)
        var workflows = WorkflowCompiler(context: context)
        var configuration = Configuration(version: version ?? "2.1", workflows: [], isSetup: isSetup)
        if let workflowsNode = root["workflows"] {
            workflows.compileWorkflows(workflowsNode, into: &configuration)
        } else {
            configuration.workflows = workflows.implicitWorkflows(root, version: version)
        }
        workflows.checkUninvokedJobs()
        guard version != nil else { return nil }
        return configuration
    }

    /// Warns about unknown top-level keys (a key that only holds YAML anchors is accepted silently, as CircleCI
    /// accepts it); an error for 2.1 keys in an older config.
    func checkTopLevelKeys(_ entries: [ConfigMappingEntry], version: String?) {
        let known: Set<String> = [
            "version", "jobs", "workflows", "orbs", "commands", "executors", "parameters", "setup",
        ]
        for entry in entries where !known.contains(entry.key) && !entry.value.onlyHoldsAnchors {
            switch entry.key {
            case "job-groups":
                decoder.warning(
                    entry.keyLocation, "top-level 'job-groups' is not supported by cibox yet and is ignored")
            case "notify":
                decoder.warning(
                    entry.keyLocation, "top-level 'notify' (CircleCI 2.0's webhooks) is not supported and is ignored",
                    hint: "to run a program when a pipeline finishes, set 'notify: { command: PATH }' in cibox's "
                        + "settings.yml")
            default:
                decoder.warning(
                    entry.keyLocation, "unknown top-level key '\(entry.key)' is ignored",
                    hint: "the top-level keys are " + known.sorted().joined(separator: ", ")
                        + "; a key that only holds YAML anchors is fine")
            }
        }
        guard let version, version != "2.1" else { return }
        for entry in entries where ["orbs", "commands", "executors", "parameters", "setup"].contains(entry.key) {
            decoder.error(
                entry.keyLocation, "top-level '\(entry.key)' needs 'version: 2.1', the config says \(version)",
                hint: "change the first line to 'version: 2.1'")
        }
    }

    /// The config's `version`, if it is one cibox reads.
    func compileVersion(_ root: ConfigNode) -> String? {
        let hint = "cibox supports version 2, 2.0 and 2.1"
        guard let node = root["version"] else {
            decoder.error(root.location, "the config has no 'version'", hint: hint)
            return nil
        }
        guard let scalar = node.scalar, ConfigCompiler.supportedVersions.contains(scalar.text) else {
            decoder.error(node.location, "unsupported config version \(node.kindDescription)", hint: hint)
            return nil
        }
        return scalar.text
    }

    /// `setup: true|false`.
    func compileSetup(_ root: ConfigNode) -> Bool {
        guard let node = root["setup"] else { return false }
        return decoder.bool(node, "setup") ?? false
    }
}

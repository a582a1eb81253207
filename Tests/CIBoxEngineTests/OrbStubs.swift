// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxYAML
import Foundation

/// Stub orbs made from a config's own uses of its registry orbs: each `alias/command` step gets a command, each
/// `alias/job` in a workflow a job, each `alias/executor` an executor, each with the parameters the config passes
/// (typed from the values passed) and a body that uses every one of them, so that the config compiles against the
/// stubs exactly when its orb references resolve and its uses fit.
struct OrbStubs {
    /// What the config uses of one orb.
    struct Usage {
        /// Parameter types by element name, for each kind (`commands`, `jobs`, `executors`).
        var elements: [String: [String: [String: String]]] = [:]
    }

    /// The registry orbs by alias, as written.
    var references: [String: OrbReference] = [:]
    /// The inline orbs' aliases.
    var inlineAliases: [String] = []
    /// What the config uses of each registry orb, by alias.
    var usage: [String: Usage] = [:]

    /// The keys of a workflow job entry that are not the job's arguments.
    static let workflowKeys: Set<String> = [
        "requires", "name", "context", "filters", "type", "matrix", "pre-steps", "post-steps", "serial-group",
        "override-with",
    ]

    /// Reads the uses of `root`'s registry orbs.
    init(_ root: ConfigNode) {
        for entry in root["orbs"]?.entries ?? [] {
            if let text = entry.value.scalar?.text, let reference = OrbReference(parsing: text) {
                references[entry.key] = reference
            } else {
                inlineAliases.append(entry.key)
            }
        }
        let pipelineParameters = root["parameters"]
        for entry in root.entries ?? [] {
            switch entry.key {
            case "workflows":
                for workflow in entry.value.entries ?? [] { readWorkflow(workflow.value, pipeline: pipelineParameters) }
            case "jobs", "commands", "executors":
                for element in entry.value.entries ?? [] {
                    walk(element.value, declarations: element.value["parameters"], pipeline: pipelineParameters)
                }
            default:
                walk(entry.value, declarations: nil, pipeline: pipelineParameters)
            }
        }
    }

    /// The alias and element name of `name` when it is `alias/element` of a registry orb.
    func element(_ name: String) -> (alias: String, name: String)? {
        guard let slash = name.firstIndex(of: "/") else { return nil }
        let alias = String(name[..<slash])
        guard references[alias] != nil else { return nil }
        return (alias, String(name[name.index(after: slash)...]))
    }

    /// Records a use of `name` as an element of `kind`, with the types of the arguments passed.
    mutating func use(
        _ kind: String, _ name: String, arguments: [ConfigMappingEntry], declarations: ConfigNode?,
        pipeline: ConfigNode?
    ) {
        guard let (alias, element) = element(name) else { return }
        var parameters = usage[alias, default: Usage()].elements[kind, default: [:]][element, default: [:]]
        for argument in arguments where parameters[argument.key] == nil {
            parameters[argument.key] = Self.type(of: argument.value, declarations: declarations, pipeline: pipeline)
        }
        usage[alias, default: Usage()].elements[kind, default: [:]][element] = parameters
    }

    /// Records a workflow's job uses (arguments and matrix parameters), then walks its options for steps.
    mutating func readWorkflow(_ workflow: ConfigNode, pipeline: ConfigNode?) {
        for item in workflow["jobs"]?.elements ?? [] {
            let (name, options): (String?, ConfigNode?) =
                item.scalar != nil ? (item.scalar?.text, nil) : (item.entries?.first?.key, item.entries?.first?.value)
            guard let name else { continue }
            var arguments = (options?.entries ?? []).filter { !Self.workflowKeys.contains($0.key) }
            for parameter in options?["matrix"]?["parameters"]?.entries ?? [] {
                if let first = parameter.value.elements?.first {
                    arguments.append(
                        ConfigMappingEntry(key: parameter.key, keyLocation: parameter.keyLocation, value: first))
                }
            }
            use("jobs", name, arguments: arguments, declarations: nil, pipeline: pipeline)
            for entry in options?.entries ?? [] where entry.key != "requires" {
                walk(entry.value, declarations: nil, pipeline: pipeline)
            }
        }
        for entry in workflow.entries ?? [] where entry.key != "jobs" {
            walk(entry.value, declarations: nil, pipeline: pipeline)
        }
    }

    /// Finds command steps (`- alias/x` or `- alias/x: {…}` in any list), executor references (`executor:` and
    /// defaults of `executor` parameters) below `node`.
    mutating func walk(_ node: ConfigNode, declarations: ConfigNode?, pipeline: ConfigNode?) {
        if let elements = node.elements {
            for element in elements {
                if let name = element.scalar?.text {
                    use("commands", name, arguments: [], declarations: declarations, pipeline: pipeline)
                } else if let entries = element.entries, entries.count == 1, let step = entries.first {
                    use(
                        "commands", step.key, arguments: step.value.entries ?? [], declarations: declarations,
                        pipeline: pipeline)
                }
                walk(element, declarations: declarations, pipeline: pipeline)
            }
        }
        for entry in node.entries ?? [] where entry.key != "requires" {
            if entry.key == "executor" || (entry.key == "default" && node["type"]?.scalar?.text == "executor") {
                if let name = entry.value.scalar?.text {
                    use("executors", name, arguments: [], declarations: declarations, pipeline: pipeline)
                } else if let name = entry.value["name"]?.scalar?.text {
                    let arguments = (entry.value.entries ?? []).filter { $0.key != "name" }
                    use("executors", name, arguments: arguments, declarations: declarations, pipeline: pipeline)
                }
            }
            walk(entry.value, declarations: declarations, pipeline: pipeline)
        }
    }

    /// The parameter type that fits a value passed: a list is `steps`, a mapping an `executor`, a plain boolean
    /// `boolean`, a whole `<< parameters.x >>` or `<< pipeline.parameters.x >>` the type `x` is declared with, any
    /// other scalar a `string` (which numbers fit too).
    static func type(of value: ConfigNode, declarations: ConfigNode?, pipeline: ConfigNode?) -> String {
        if value.elements != nil { return "steps" }
        if value.entries != nil { return "executor" }
        guard let scalar = value.scalar else { return "string" }
        if !scalar.isQuoted, scalar.bool != nil { return "boolean" }
        let text = scalar.text.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("<<"), text.hasSuffix(">>"), text.count > 4 else { return "string" }
        let name = text.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces)
        let declared: String?
        if name.hasPrefix("parameters.") {
            declared = declarations?[String(name.dropFirst("parameters.".count))]?["type"]?.scalar?.text
        } else if name.hasPrefix("pipeline.parameters.") {
            declared = pipeline?[String(name.dropFirst("pipeline.parameters.".count))]?["type"]?.scalar?.text
        } else {
            declared = nil
        }
        return ["boolean", "steps", "executor"].contains(declared ?? "") ? declared ?? "string" : "string"
    }

    /// The stub orb for `alias`: every element it uses, each using every parameter passed to it.
    func orb(_ alias: String) -> String {
        var lines = [
            "version: 2.1", "description: stub of \(references[alias]?.text ?? alias) for cibox's corpus test",
        ]
        lines += ["executors:", "  cibox-stub:", "    docker: [{image: cimg/base:stable}]"]
        let elements = usage[alias]?.elements ?? [:]
        for (name, parameters) in (elements["executors"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines += ["  \(name):"] + Self.declarations(parameters)
            let used = parameters.filter { $0.value == "string" || $0.value == "boolean" }.keys.sorted()
            let tag = used.map { "<< parameters.\($0) >>" }.joined(separator: "-")
            lines.append("    docker: [{image: \"stub/\(name):\(tag.isEmpty ? "latest" : tag)\"}]")
        }
        for kind in ["commands", "jobs"] {
            guard let named = elements[kind], !named.isEmpty else { continue }
            lines.append("\(kind):")
            for (name, parameters) in named.sorted(by: { $0.key < $1.key }) {
                lines += ["  \(name):"] + Self.declarations(parameters)
                if kind == "jobs" {
                    let executor = parameters.first { $0.value == "executor" }?.key
                    lines.append("    executor: \(executor.map { "<< parameters.\($0) >>" } ?? "cibox-stub")")
                }
                lines += ["    steps:"] + Self.steps(name, parameters)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `parameters:` lines of a stub element, each with a default so that every use may leave it out.
    static func declarations(_ parameters: [String: String]) -> [String] {
        guard !parameters.isEmpty else { return [] }
        let defaults = ["string": "\"\"", "boolean": "false", "steps": "[]", "executor": "cibox-stub"]
        return ["    parameters:"]
            + parameters.sorted(by: { $0.key < $1.key }).map { name, type in
                "      \(name): {type: \(type), default: \(defaults[type] ?? "\"\"")}"
            }
    }

    /// The `steps:` lines of a stub command or job: a `run` that prints every scalar parameter, then the `steps` ones.
    static func steps(_ name: String, _ parameters: [String: String]) -> [String] {
        let scalars = parameters.filter { $0.value == "string" || $0.value == "boolean" }.keys.sorted()
        let text = (["stub", name] + scalars.map { "<< parameters.\($0) >>" }).joined(separator: " ")
        let spliced = parameters.filter { $0.value == "steps" }.keys.sorted().map {
            "      - steps: << parameters.\($0) >>"
        }
        return ["      - run: \"echo \(text)\""] + spliced
    }
}

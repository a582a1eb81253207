// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import CIBoxYAML

extension ConfigCompiler {
    /// Checks an orb's source the way `cibox orb add` must before storing it: the YAML, the orb's keys, the orbs it
    /// imports (from `options.orbs`), and every command, job and executor compiled as a use would compile it, with
    /// stand-in values for parameters that have no default.
    ///
    /// - Parameters:
    ///   - source: The orb's YAML (packed, or as `circleci orb source` prints it) and the path to show.
    ///   - reference: The name it is to be stored under, for messages.
    ///   - options: Where the orbs it imports come from; a missing one is an error unless `allowMissingOrbs`.
    /// - Returns: Every problem found, each once; no error means the orb can be used.
    package static func checkOrb(_ source: ConfigSource, reference: OrbReference, options: CompileOptions)
        -> [Diagnostic]
    {
        let (root, yamlDiagnostics) = YAMLReader.parse(source.text, file: source.path)
        let values = PipelineValues(
            id: "00000000-0000-0000-0000-000000000000", number: 1, projectGitURL: "/orb", branch: "main",
            revision: String(repeating: "0", count: 40))
        var compilation = Compilation(file: source.path, options: options, values: values)
        if let root {
            compilation.checkOrb(root, reference: reference)
        } else if yamlDiagnostics.isEmpty {
            compilation.decoder.error(
                SourceLocation(file: source.path, line: 1, column: 1), "the orb is empty",
                hint: "an orb starts with 'version: 2.1', then 'commands:', 'jobs:' or 'executors:'")
        }
        var seen: Set<Diagnostic> = []
        return (yamlDiagnostics + compilation.decoder.diagnostics).filter { seen.insert($0).inserted }.map {
            var diagnostic = $0
            if diagnostic.hint == Compilation.missingOrbHint {
                diagnostic.hint = "an orb's imports must be in the orb store before it: add them first"
            }
            return diagnostic
        }
    }
}

extension Compilation {
    /// The executor that stands for an `executor` parameter without a default while an orb is checked.
    static let placeholderExecutor = "cibox-placeholder-executor"

    /// Loads `root` as the orb `reference` and compiles each of its elements (see
    /// ``ConfigCompiler/checkOrb(_:reference:options:)``).
    mutating func checkOrb(_ root: ConfigNode, reference: OrbReference) {
        guard decoder.mapping(root, reference.text) != nil else { return }
        checkOrbKeys(root, path: reference.text)
        checkOrbVersion(root)
        let scope = newScope(name: "orb '\(reference.text)'", isOrb: true)
        loadScope(root, into: scope, depth: 1)
        let location = root.location
        scopes[0].elements[.executor, default: [:]][Self.placeholderExecutor] = Self.mapping(
            [
                "docker": ConfigNode(
                    .sequence([
                        Self.mapping(
                            ["image": Self.text("cimg/base:current", at: location)],
                            at: location)
                    ]), at: location)
            ], at: location)
        for (name, definition) in sortedElements(.command, in: scope) {
            let arguments = placeholderArguments(definition, path: "commands.\(name)", element: "command '\(name)'")
            let steps = expandCommand(
                definition, name: name, arguments: arguments, at: definition.location, scope: scope,
                stack: [("\(scope):\(name)", name)])
            _ = compileSteps(ConfigNode(.sequence(steps), at: definition.location), path: "commands.\(name).steps")
        }
        for (name, definition) in sortedElements(.job, in: scope) {
            let arguments =
                placeholderArguments(definition, path: "jobs.\(name)", element: "job '\(name)'").entries ?? []
            let invocation = JobInvocation(job: name, arguments: arguments, location: definition.location)
            if let job = expandJob(definition, scope: scope, name: name, invocation: invocation) {
                _ = compileJob(name, job)
            }
        }
        for (name, definition) in sortedElements(.executor, in: scope) {
            var executor =
                placeholderArguments(definition, path: "executors.\(name)", element: "executor '\(name)'").entries ?? []
            executor.insert(
                ConfigMappingEntry(key: "name", keyLocation: location, value: Self.text(name, at: location)), at: 0)
            let job = Self.mapping(
                [
                    "executor": ConfigNode(.mapping(executor), at: definition.location),
                    "steps": ConfigNode(.sequence([Self.text("checkout", at: location)]), at: location),
                ], at: definition.location)
            let invocation = JobInvocation(job: name, location: definition.location)
            if let expanded = expandJob(job, scope: scope, name: "executor-check-\(name)", invocation: invocation) {
                _ = compileExecutor(expanded, path: "executors.\(name)")
            }
        }
        checkExamples(root)
    }

    /// The elements of `kind` that scope `scope` defines, sorted by name.
    func sortedElements(_ kind: ElementKind, in scope: Int) -> [(String, ConfigNode)] {
        (scopes[scope].elements[kind] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// An orb is written for config version 2.1.
    mutating func checkOrbVersion(_ root: ConfigNode) {
        guard let node = root["version"] else {
            decoder.error(root.location, "the orb has no 'version'", hint: "orbs start with 'version: 2.1'")
            return
        }
        if node.scalar?.text != "2.1" {
            decoder.error(
                node.location, "unsupported orb version \(node.kindDescription)", hint: "orbs use 'version: 2.1'")
        }
    }

    /// `examples:` entries are mappings of `description`, `usage` and `result`.
    mutating func checkExamples(_ root: ConfigNode) {
        guard let node = root["examples"], !node.isNull, let entries = decoder.mapping(node, "examples") else {
            return
        }
        for entry in entries {
            guard let fields = decoder.mapping(entry.value, "examples.\(entry.key)") else { continue }
            decoder.checkKeys(fields, in: "examples.\(entry.key)", known: ["description", "usage", "result"])
            if let usage = entry.value["usage"] { _ = decoder.mapping(usage, "examples.\(entry.key).usage") }
        }
    }

    /// Arguments for the element's parameters that have no default: a value of the parameter's type, placed at
    /// the declaration so that a problem it causes points there.
    mutating func placeholderArguments(_ definition: ConfigNode, path: String, element: String) -> ConfigNode {
        let declarations = parameterDeclarations(
            definition["parameters"], path: "\(path).parameters", element: element)
        var entries: [ConfigMappingEntry] = []
        let parameters = definition["parameters"]
        for declaration in declarations where declaration.defaultValue == nil {
            let at = parameters?.entry(declaration.name)?.keyLocation ?? definition.location
            let value: ConfigNode
            switch declaration.type {
            case .string: value = Self.text("placeholder", at: at)
            case .boolean: value = ConfigNode(.scalar(ConfigScalar("false")), at: at)
            case .integer: value = ConfigNode(.scalar(ConfigScalar("1")), at: at)
            case .enum: value = Self.text(declaration.enumValues.first ?? "", at: at)
            case .executor: value = Self.text(Self.placeholderExecutor, at: at)
            case .steps:
                value = ConfigNode(
                    .sequence([Self.mapping(["run": Self.text("true", at: at)], at: at)]), at: at)
            case .envVarName: value = Self.text("PLACEHOLDER", at: at)
            }
            entries.append(ConfigMappingEntry(key: declaration.name, keyLocation: at, value: value))
        }
        return ConfigNode(.mapping(entries), at: definition.location)
    }

    /// A quoted string node.
    static func text(_ text: String, at location: SourceLocation) -> ConfigNode {
        ConfigNode(.scalar(ConfigScalar(text, isQuoted: true)), at: location)
    }
}

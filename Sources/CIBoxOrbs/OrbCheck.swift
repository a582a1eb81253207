// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxConfig
package import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// The check `cibox orb add` makes before storing an orb: its YAML, its keys and version, the orbs it imports, its
/// examples, and every command, job and executor compiled as a use would compile it (``OrbElementCompiler``), with
/// stand-in values for parameters that have no default.
package enum OrbCheck {
    /// The executor that stands for an `executor` parameter without a default.
    static let placeholderExecutor = "cibox-placeholder-executor"

    /// Checks an orb's source.
    ///
    /// - Parameters:
    ///   - source: The orb's YAML (packed, or as `circleci orb source` prints it) and the path to show.
    ///   - reference: The name it is to be stored under, for messages.
    ///   - options: Where the orbs it imports come from; a missing one is an error unless `allowMissingOrbs`.
    /// - Returns: Every problem found, each once; no error means the orb can be used.
    package static func check(_ source: ConfigSource, reference: OrbReference, options: CompileOptions)
        -> [Diagnostic]
    {
        let (root, yamlDiagnostics) = YAMLReader.parse(source.text, file: source.path)
        let decoder = NodeDecoder()
        if let root {
            check(root, reference: reference, options: options, file: source.path, decoder: decoder)
        } else if yamlDiagnostics.isEmpty {
            decoder.error(
                SourceLocation(file: source.path, line: 1, column: 1), "the orb is empty",
                hint: "an orb starts with 'version: 2.1', then 'commands:', 'jobs:' or 'executors:'")
        }
        return OrderedSet(yamlDiagnostics + decoder.diagnostics).map {
            var diagnostic = $0
            if diagnostic.hint == OrbElementCompiler.missingOrbHint {
                diagnostic.hint = "an orb's imports must be in the orb store before it: add them first"
            }
            return diagnostic
        }
    }

    /// Loads `root` as the orb `reference` and compiles each of its elements.
    static func check(
        _ root: ConfigNode, reference: OrbReference, options: CompileOptions, file: String, decoder: NodeDecoder
    ) {
        guard decoder.mapping(root, reference.text) != nil else { return }
        var compiler = OrbElementCompiler(file: file, options: options, decoder: decoder)
        compiler.checkKeys(root, path: reference.text)
        checkVersion(root, decoder)
        compiler.load(root, as: reference)
        let location = root.location
        let image = ConfigNode.mapping(
            sortingKeysOf: ["image": .quoted("cimg/base:current", at: location)], at: location)
        compiler.defineConfigExecutor(
            placeholderExecutor,
            .mapping(sortingKeysOf: ["docker": ConfigNode(.sequence([image]), at: location)], at: location))
        for (name, definition) in compiler.elements(.command) {
            let arguments = placeholderArguments(
                definition, path: "commands.\(name)", element: "command '\(name)'", &compiler)
            compiler.compileCommand(name, definition, arguments: arguments)
        }
        for (name, definition) in compiler.elements(.job) {
            let arguments = placeholderArguments(definition, path: "jobs.\(name)", element: "job '\(name)'", &compiler)
            compiler.compileJob(name, definition, arguments: arguments.entries ?? [])
        }
        for (name, definition) in compiler.elements(.executor) {
            let arguments = placeholderArguments(
                definition, path: "executors.\(name)", element: "executor '\(name)'", &compiler)
            compiler.compileExecutor(name, definition, arguments: arguments.entries ?? [])
        }
        checkExamples(root, decoder)
    }

    /// An orb is written for config version 2.1.
    static func checkVersion(_ root: ConfigNode, _ decoder: NodeDecoder) {
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
    static func checkExamples(_ root: ConfigNode, _ decoder: NodeDecoder) {
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
    static func placeholderArguments(
        _ definition: ConfigNode, path: String, element: String, _ compiler: inout OrbElementCompiler
    ) -> ConfigNode {
        let declarations = compiler.parameters(of: definition, path: path, element: element)
        var entries: [ConfigMappingEntry] = []
        let parameters = definition["parameters"]
        for declaration in declarations where declaration.defaultValue == nil {
            let at = parameters?.entry(declaration.name)?.keyLocation ?? definition.location
            entries.append(
                ConfigMappingEntry(key: declaration.name, keyLocation: at, value: placeholder(declaration, at: at)))
        }
        return ConfigNode(.mapping(entries), at: definition.location)
    }

    /// A value of the declared type.
    static func placeholder(_ declaration: ParameterDeclaration, at location: SourceLocation) -> ConfigNode {
        switch declaration.type {
        case .string: .quoted("placeholder", at: location)
        case .boolean: ConfigNode(.scalar(ConfigScalar("false")), at: location)
        case .integer: ConfigNode(.scalar(ConfigScalar("1")), at: location)
        case .enum: .quoted(declaration.enumValues.first ?? "", at: location)
        case .executor: .quoted(placeholderExecutor, at: location)
        case .steps:
            ConfigNode(
                .sequence([.mapping(sortingKeysOf: ["run": .quoted("true", at: location)], at: location)]),
                at: location)
        case .envVarName: .quoted("PLACEHOLDER", at: location)
        }
    }
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import CIBoxYAML
import OrderedCollections

/// Compiles one orb's commands, jobs and executors on their own, each the way a use of it compiles, so that an orb
/// can be checked before it is stored (CIBoxOrbs' `OrbCheck`).
///
/// Everything goes through the same expansion as a config's uses: parameters bound and type-checked, `<< … >>`
/// substituted, commands inlined, executors merged into jobs, and the result compiled into steps and job specs.
/// Problems go to the decoder given at the start, in the order found.
package struct OrbElementCompiler {
    /// Where problems go.
    private let decoder: NodeDecoder
    /// The orb's file, for locations.
    private let file: String
    /// The expansion budget of the whole check.
    private let budget: ExpansionBudget
    /// The pipeline's templates (orbs see only the `pipeline.*` values).
    private let templates: PipelineTemplates
    /// Loads the orb, as an orb scope beside an empty config, and the orbs it imports.
    private var loader: OrbLoader
    /// The orb's scope, once loaded.
    private var scope = 0
    /// Where the orb's root mapping starts, once loaded.
    private var rootLocation: SourceLocation

    /// The hint of a missing orb's error in a config; an orb check says something else there.
    package static var missingOrbHint: String { MissingOrb.hint }

    /// Starts an empty compilation whose orbs come from `options.orbs`.
    ///
    /// - Parameters:
    ///   - file: The orb's file, for locations.
    ///   - options: Where the orbs it imports come from, and whether a missing one is only a warning.
    ///   - decoder: Where problems are reported.
    package init(file: String, options: CompileOptions, decoder: NodeDecoder) {
        let values = PipelineValues(
            id: "00000000-0000-0000-0000-000000000000", number: 1, projectGitURL: "/orb", branch: "main",
            revision: String(repeating: "0", count: 40))
        self.decoder = decoder
        self.file = file
        budget = ExpansionBudget(decoder: decoder, byteLimit: options.maxExpandedBytes)
        templates = PipelineTemplates(values: values, file: file)
        loader = OrbLoader(
            decoder: decoder, options: options,
            substitution: Substitution(decoder: decoder, budget: budget, file: file),
            pipelineScope: templates.pipelineScope)
        rootLocation = SourceLocation(file: file, line: 1, column: 1)
    }

    /// The passes of expansion over what is loaded so far.
    private var context: ExpansionContext {
        ExpansionContext(
            scopes: loader.scopes, templates: templates, file: file, allowMissingOrbs: loader.options.allowMissingOrbs,
            decoder: decoder, budget: budget)
    }

    /// Warns about the keys of `root` that an orb does not have.
    ///
    /// - Parameters:
    ///   - root: The orb's root mapping.
    ///   - path: How messages name the orb, such as `acme/greet@1.0.0`.
    package func checkKeys(_ root: ConfigNode, path: String) {
        loader.checkOrbKeys(root, path: path)
    }

    /// Loads `root` as the orb `reference`: its elements, and the orbs it imports.
    ///
    /// - Parameters:
    ///   - root: The orb's root mapping.
    ///   - reference: The name it is checked under.
    package mutating func load(_ root: ConfigNode, as reference: OrbReference) {
        rootLocation = root.location
        scope = loader.scopes.newScope(name: "orb '\(reference.text)'", isOrb: true)
        loader.loadScope(root, into: scope, depth: 1)
    }

    /// Defines an executor beside the orb, as a config using it could (for stand-in executor arguments).
    ///
    /// - Parameters:
    ///   - name: The executor's name.
    ///   - definition: Its definition, such as `docker: [{image: …}]`.
    package mutating func defineConfigExecutor(_ name: String, _ definition: ConfigNode) {
        loader.scopes[0].elements[.executor, default: [:]][name] = definition
    }

    /// The orb's elements of `kind`, sorted by name.
    package func elements(_ kind: ElementKind) -> [(name: String, definition: ConfigNode)] {
        loader.scopes.sortedElements(kind, in: scope)
    }

    /// The parameters an element declares, each checked (a default of the wrong type is reported).
    ///
    /// - Parameters:
    ///   - definition: The element's definition.
    ///   - path: The element's path for messages, such as `commands.greet`.
    ///   - element: How messages name the element, such as `command 'greet'`.
    package func parameters(of definition: ConfigNode, path: String, element: String) -> [ParameterDeclaration] {
        ParameterBinding(decoder: decoder).declarations(
            definition["parameters"], path: "\(path).parameters", element: element)
    }

    /// Expands and compiles the command `name` invoked with `arguments`.
    package func compileCommand(_ name: String, _ definition: ConfigNode, arguments: ConfigNode) {
        let steps = StepExpansion(context: context).expandCommand(
            definition, name: name, arguments: arguments, at: definition.location, scope: scope,
            stack: ["\(scope):\(name)": name])
        _ = StepCompiler(decoder: decoder).compileSteps(
            ConfigNode(.sequence(steps), at: definition.location), path: "commands.\(name).steps")
    }

    /// Expands and compiles the job `name` invoked with `arguments`.
    package func compileJob(_ name: String, _ definition: ConfigNode, arguments: [ConfigMappingEntry]) {
        let invocation = JobInvocation(job: name, arguments: arguments, location: definition.location)
        if let job = JobExpansion(context: context).expand(definition, scope: scope, name: name, invocation: invocation)
        {
            _ = JobCompiler(decoder: decoder).compile(name, job)
        }
    }

    /// Compiles the executor `name` with `arguments` as the executor of a job with one `checkout` step.
    package func compileExecutor(_ name: String, _ definition: ConfigNode, arguments: [ConfigMappingEntry]) {
        let location = rootLocation
        let reference =
            [ConfigMappingEntry(key: "name", keyLocation: location, value: .quoted(name, at: location))] + arguments
        let job = ConfigNode.mapping(
            sortingKeysOf: [
                "executor": ConfigNode(.mapping(reference), at: definition.location),
                "steps": ConfigNode(.sequence([.quoted("checkout", at: location)]), at: location),
            ], at: definition.location)
        let invocation = JobInvocation(job: name, location: definition.location)
        let expansion = JobExpansion(context: context)
        if let expanded = expansion.expand(job, scope: scope, name: "executor-check-\(name)", invocation: invocation) {
            var spec = JobSpec(definitionName: name, steps: [])
            JobCompiler(decoder: decoder).compileExecutor(expanded, path: "executors.\(name)", into: &spec)
        }
    }
}

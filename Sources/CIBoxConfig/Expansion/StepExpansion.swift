// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// Steps expanded down to built-in steps: command invocations inlined (in the command's own scope, with cycle and
/// depth checks), `when`/`unless` steps resolved, `steps` splices applied and legacy `- type: shell` steps rewritten.
struct StepExpansion {
    /// The commands being expanded, outermost first: each one's name as written, by its identity (its scope and
    /// its own name, so that `a/x` and `x` inside orb `a` are the same command).
    typealias CommandStack = OrderedDictionary<String, String>

    /// How deep commands may call commands.
    static let commandDepthLimit = 50
    /// The legacy `- type: shell` keys and the `run` keys they become.
    static let legacyShellKeys: [String: String] = [
        "command": "command", "name": "name", "shell": "shell", "environment": "environment",
        "background": "background", "pwd": "working_directory", "working_directory": "working_directory",
        "no_output_timeout": "no_output_timeout", "when": "when",
    ]

    /// What the expansion passes share.
    let context: ExpansionContext

    /// Where problems go.
    var decoder: NodeDecoder { context.decoder }

    /// `elements` with command invocations inlined, `when`/`unless` steps resolved and `steps` splices applied;
    /// what is left is built-in steps (and malformed ones, which ``StepCompiler/compileStep(_:path:)`` reports).
    ///
    /// - Parameters:
    ///   - elements: The steps, already substituted in their element's scope.
    ///   - scope: The scope commands are looked up in.
    ///   - stack: The commands being expanded, outermost first, for cycles.
    ///   - path: The steps' path for messages.
    func expandSteps(_ elements: [ConfigNode], scope: Int, stack: CommandStack, path: String)
        -> [ConfigNode]
    {
        var result: [ConfigNode] = []
        for (index, step) in elements.enumerated() {
            if context.budget.spend(at: step.location) { break }
            let itemPath = "\(path)[\(index)]"
            let kind: String
            let value: ConfigNode
            let location: SourceLocation
            if let scalar = step.scalar, !scalar.isNull {
                (kind, value, location) = (
                    scalar.text, ConfigNode(.scalar(ConfigScalar("")), at: step.location), step.location
                )
            } else if let entries = step.entries, entries.count == 1, let entry = entries.first {
                (kind, value, location) = (entry.key, entry.value, entry.keyLocation)
            } else {
                result.append(step.entries != nil && step["type"] != nil ? legacyStep(step, path: itemPath) : step)
                continue
            }
            switch kind {
            case "when", "unless":
                result += conditionalSteps(kind, value, scope: scope, stack: stack, path: "\(itemPath).\(kind)")
            case "steps":
                guard let nested = value.elements else {
                    decoder.error(
                        value.location, "'\(itemPath).steps' must be a list of steps, got \(value.kindDescription)")
                    continue
                }
                result += expandSteps(nested, scope: scope, stack: stack, path: "\(itemPath).steps")
            default:
                if StepCompiler.builtinSteps.contains(kind),
                    case .notFound = context.scopes.resolve(kind, .command, from: scope)
                {
                    result.append(step)
                } else {
                    result += commandSteps(kind, value, at: location, scope: scope, stack: stack)
                }
            }
        }
        return result
    }

    /// The steps of a `when` or `unless` step whose condition selects them; none otherwise.
    func conditionalSteps(
        _ kind: String, _ value: ConfigNode, scope: Int, stack: CommandStack, path: String
    ) -> [ConfigNode] {
        guard let entries = value.entries else {
            decoder.error(
                value.location, "'\(path)' must be a mapping with 'condition' and 'steps', got \(value.kindDescription)"
            )
            return []
        }
        decoder.checkKeys(entries, in: path, known: ["condition", "steps"])
        guard let condition = value["condition"] else {
            decoder.error(
                value.location, "'\(path)' needs 'condition'", hint: "write 'condition:' and 'steps:' under it")
            return []
        }
        var logic = context.logic
        logic.executorDefinition = { name in
            guard case .found(let definition, _, _) = context.scopes.resolve(name, .executor, from: scope) else {
                return nil
            }
            return definition
        }
        guard let isTrue = logic.evaluate(condition, path: "\(path).condition") else { return [] }
        guard isTrue == (kind == "when") else { return [] }
        guard let steps = value["steps"]?.elements else {
            decoder.error(value.location, "'\(path)' needs 'steps', a list of steps")
            return []
        }
        return expandSteps(steps, scope: scope, stack: stack, path: "\(path).steps")
    }

    /// The steps of command `name` invoked with `arguments`, expanded in the command's own scope.
    func commandSteps(
        _ name: String, _ arguments: ConfigNode, at location: SourceLocation, scope: Int, stack: CommandStack
    ) -> [ConfigNode] {
        switch context.scopes.resolve(name, .command, from: scope) {
        case .notFound:
            let commands = context.scopes.visibleNames(.command)
            decoder.error(
                location, "unknown step or command '\(name)'",
                hint: "built-in steps are "
                    + StepCompiler.builtinSteps.subtracting([MissingOrb.stepKey]).sorted()
                    .joined(separator: ", ")
                    + (commands.isEmpty ? "" : "; commands: \(commands.joined(separator: ", "))"))
            return []
        case .missingOrb(let message):
            context.missingOrbUse(
                location, "command '\(name)' comes from a missing orb; the job fails when it gets here", hint: message)
            return [MissingOrb.step(name, message: message, at: location)]
        case .found(let definition, let definitionScope, let qualified):
            let identity = "\(definitionScope):\(qualified.split(separator: "/").last ?? "")"
            if let start = stack.index(forKey: identity) {
                let cycle = stack.values[start...] + [qualified]
                decoder.error(
                    location, "command cycle: \(cycle.joined(separator: " -> "))",
                    hint: "a command cannot call itself, directly or through other commands")
                return []
            }
            guard stack.count < Self.commandDepthLimit else {
                decoder.error(location, "commands call each other more than \(Self.commandDepthLimit) levels deep")
                return []
            }
            var inner = stack
            inner[identity] = qualified
            return context.budget.expanding("command '\(qualified)'", at: location) {
                expandCommand(
                    definition, name: qualified, arguments: arguments, at: location, scope: definitionScope,
                    stack: inner)
            }
        }
    }

    /// The steps of command `name`'s `definition` invoked with `arguments`: parameters bound and substituted in the
    /// command's scope, then expanded.
    func expandCommand(
        _ definition: ConfigNode, name: String, arguments: ConfigNode, at location: SourceLocation, scope: Int,
        stack: CommandStack
    ) -> [ConfigNode] {
        let path = "commands.\(name)"
        guard let fields = decoder.mapping(definition, path) else { return [] }
        decoder.checkKeys(fields, in: path, known: ["steps", "parameters", "description"])
        let element = "command '\(name)'"
        let given: [ConfigMappingEntry]
        if arguments.isNull {
            given = []
        } else if let entries = arguments.entries {
            given = entries
        } else {
            decoder.error(
                arguments.location, "the arguments of \(element) must be a mapping, got \(arguments.kindDescription)")
            return []
        }
        let declarations = context.binding.declarations(
            definition["parameters"], path: "\(path).parameters", element: element)
        let values = context.bind(declarations, arguments: given, element: element, at: location, scope: scope)
        guard let stepsNode = definition["steps"] else {
            decoder.error(definition.location, "\(element) has no 'steps'")
            return []
        }
        let steps = context.substitution.substitute(
            stepsNode, context.elementScope(values, element: element, scope: scope))
        guard let elements = decoder.sequence(steps, "\(path).steps") else { return [] }
        return expandSteps(elements, scope: scope, stack: stack, path: "\(path).steps")
    }

    /// The legacy 2.0 form `- type: shell` with `command`, `name`, `pwd`…, as a `run` step.
    func legacyStep(_ step: ConfigNode, path: String) -> ConfigNode {
        let type = step["type"]?.scalar?.text ?? ""
        if type == "checkout" {
            return ConfigNode(.scalar(ConfigScalar("checkout")), at: step.location)
        }
        guard type == "shell" else {
            decoder.error(
                step.location, "unsupported legacy step type '\(type)' in '\(path)'",
                hint: "write it as a built-in step, such as '- run: {command: …}'")
            return ConfigNode(.mapping([]), at: step.location)
        }
        var fields: [ConfigMappingEntry] = []
        for entry in step.entries ?? [] where entry.key != "type" {
            guard let key = Self.legacyShellKeys[entry.key] else {
                decoder.warning(entry.keyLocation, "unknown key '\(entry.key)' in the legacy step '\(path)' is ignored")
                continue
            }
            var renamed = entry
            renamed.key = key
            fields.append(renamed)
        }
        let run = ConfigMappingEntry(
            key: "run", keyLocation: step.location, value: ConfigNode(.mapping(fields), at: step.location))
        return ConfigNode(.mapping([run]), at: step.location)
    }
}

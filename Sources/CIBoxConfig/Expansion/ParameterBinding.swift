// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import CIBoxYAML

/// The type of a parameter as declared with `type:`.
package enum ParameterType: String, Sendable {
    /// `string`.
    case string
    /// `boolean`.
    case boolean
    /// `integer`.
    case integer
    /// `enum`, with its `enum:` values.
    case `enum`
    /// `executor`: an executor name, or a mapping with `name` and arguments.
    case executor
    /// `steps`: a list of steps.
    case steps
    /// `env_var_name`: a POSIX environment variable name.
    case envVarName = "env_var_name"

    /// How messages name a value of this type.
    var noun: String {
        switch self {
        case .string: "a string"
        case .boolean: "a boolean (true or false)"
        case .integer: "an integer"
        case .enum: "one of the enum values"
        case .executor: "an executor name or a mapping with 'name'"
        case .steps: "a list of steps"
        case .envVarName: "an environment variable name"
        }
    }
}

/// One declared parameter of a job, command, executor or pipeline.
package struct ParameterDeclaration: Sendable {
    /// Its name.
    package var name: String
    /// Its type.
    package var type: ParameterType
    /// Its default, if any (without one the parameter is required).
    package var defaultValue: ConfigNode?
    /// The allowed values of an enum.
    package var enumValues: [String]
}

/// Element and pipeline parameters: their declarations, the values a use gives them (checked against their types,
/// defaults filled in), and stand-ins for missing ones so that their uses are not reported too.
struct ParameterBinding {
    /// Where problems go.
    let decoder: NodeDecoder

    /// The declarations under a `parameters:` key; `types` are the types allowed there.
    func declarations(
        _ node: ConfigNode?, path: String, element: String, types: Set<ParameterType> = Set(ParameterType.allTypes)
    ) -> [ParameterDeclaration] {
        guard let node, !node.isNull, let entries = decoder.mapping(node, path) else { return [] }
        var result: [ParameterDeclaration] = []
        for entry in entries {
            let itemPath = "\(path).\(entry.key)"
            decoder.checkName(entry.key, kind: "parameter", at: entry.keyLocation)
            guard let fields = decoder.mapping(entry.value, itemPath) else { continue }
            decoder.checkKeys(fields, in: itemPath, known: ["type", "default", "description", "enum"])
            guard let typeNode = entry.value["type"] else {
                decoder.error(entry.keyLocation, "parameter '\(entry.key)' has no 'type'", hint: typeHint(types))
                continue
            }
            guard let typeName = typeNode.scalar?.text, let type = ParameterType(rawValue: typeName),
                types.contains(type)
            else {
                decoder.error(
                    typeNode.location, "parameter '\(entry.key)' has unknown type \(typeNode.kindDescription)",
                    hint: typeHint(types))
                continue
            }
            var declaration = ParameterDeclaration(
                name: entry.key, type: type, defaultValue: entry.value["default"], enumValues: [])
            if type == .enum {
                declaration.enumValues =
                    entry.value["enum"].flatMap { decoder.stringList($0, "\(itemPath).enum") } ?? []
                if entry.value["enum"] == nil {
                    decoder.error(entry.keyLocation, "enum parameter '\(entry.key)' has no 'enum' list of values")
                }
            }
            // A default that holds a template (`<< pipeline.number >>`) is checked once resolved, where it is used.
            if let defaultValue = declaration.defaultValue, !(type == .steps && defaultValue.isNull),
                defaultValue.scalar?.mayContainTemplate != true
            {
                declaration.defaultValue = checked(
                    defaultValue, declaration, owner: "the default of parameter", element: element)
            }
            result.append(declaration)
        }
        return result
    }

    /// The hint that lists the types allowed.
    func typeHint(_ types: Set<ParameterType>) -> String {
        "types are " + ParameterType.allTypes.filter { types.contains($0) }.map(\.rawValue).joined(separator: ", ")
    }

    /// The parameter values of one use of an element: arguments checked against the declarations, defaults
    /// filled in. Reports unknown arguments, missing required parameters and type errors.
    ///
    /// - Parameters:
    ///   - declarations: The element's parameters.
    ///   - arguments: The arguments given where it is used.
    ///   - element: How messages name the element, such as `job 'build'`.
    ///   - location: Where it is used (for missing parameters).
    func bind(
        _ declarations: [ParameterDeclaration], arguments: [ConfigMappingEntry], element: String,
        at location: SourceLocation
    ) -> [String: ConfigNode] {
        var values: [String: ConfigNode] = [:]
        for argument in arguments where !declarations.contains(where: { $0.name == argument.key }) {
            let declared = declarations.map(\.name)
            decoder.error(
                argument.keyLocation, "unknown parameter '\(argument.key)' for \(element)",
                hint: declared.isEmpty
                    ? "\(element) has no parameters" : "\(element) has: \(declared.joined(separator: ", "))")
        }
        for declaration in declarations {
            guard let given = arguments.last(where: { $0.key == declaration.name })?.value ?? declaration.defaultValue
            else {
                decoder.error(
                    location, "missing required parameter '\(declaration.name)' for \(element)",
                    hint: "pass '\(declaration.name): …' where \(element) is used, or give it a default")
                // A stand-in, so that the element's uses of the parameter are not reported as well.
                let standIn: ConfigNode.Value =
                    switch declaration.type {
                    case .steps: .sequence([])
                    case .executor: .scalar(ConfigScalar(Self.missingExecutorStandIn, isQuoted: true))
                    default: .scalar(ConfigScalar("", isQuoted: true))
                    }
                values[declaration.name] = ConfigNode(standIn, at: location)
                continue
            }
            values[declaration.name] = checked(given, declaration, owner: "parameter", element: element) ?? given
        }
        return values
    }

    /// `value` normalised to its declared type (booleans as plain `true`/`false`, integers plain), or `nil`
    /// after reporting a type error.
    func checked(
        _ value: ConfigNode, _ declaration: ParameterDeclaration, owner: String, element: String
    ) -> ConfigNode? {
        let location = value.location
        let scalar = value.scalar
        func plain(_ text: String, quoted: Bool = false) -> ConfigNode {
            ConfigNode(.scalar(ConfigScalar(text, isQuoted: quoted)), at: location)
        }
        switch declaration.type {
        case .string:
            if let scalar, scalar.bool == nil || scalar.isQuoted {
                // The value's text as it is: what is known about its templates stays (it may be large, and shared).
                let text = ConfigScalar(
                    scalar.isNull ? "" : scalar.text, isQuoted: true, mayContainTemplate: scalar.mayContainTemplate)
                return ConfigNode(.scalar(text), at: location)
            }
        case .boolean:
            if let bool = scalar?.bool { return plain(bool ? "true" : "false") }
        case .integer:
            if let scalar, let number = Int(scalar.text) { return plain(String(number)) }
        case .enum:
            if let scalar, !scalar.isNull, declaration.enumValues.contains(scalar.text) {
                return plain(scalar.text, quoted: true)
            }
            if scalar != nil {
                decoder.error(
                    location,
                    "\(owner) '\(declaration.name)'\(Self.of(element)) must be one of "
                        + "\(declaration.enumValues.joined(separator: ", ")), got \(value.kindDescription)")
                return nil
            }
        case .executor:
            if (scalar.map { !$0.isNull } ?? false) || value["name"] != nil { return value }
        case .steps:
            if value.elements != nil { return value }
            if value.isNull { return ConfigNode(.sequence([]), at: location) }
        case .envVarName:
            if let scalar, Self.isEnvironmentName(scalar.text) { return plain(scalar.text, quoted: true) }
        }
        decoder.error(
            location,
            "\(owner) '\(declaration.name)'\(Self.of(element)) must be \(declaration.type.noun), "
                + "got \(value.kindDescription)")
        return nil
    }

    /// The stand-in value of a missing `executor` argument, which
    /// ``JobExpansion/mergeExecutor(_:into:scope:leadingSteps:)`` skips because the missing argument is reported
    /// already.
    static let missingExecutorStandIn = "\u{2060}cibox-missing-executor"

    /// ` of ELEMENT`, or nothing for an empty element.
    static func of(_ element: String) -> String {
        element.isEmpty ? "" : " of \(element)"
    }

    /// Whether `text` is a POSIX environment variable name.
    static func isEnvironmentName(_ text: String) -> Bool {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}

extension ParameterType {
    /// Every type, in documentation order.
    static let allTypes: [ParameterType] = [.string, .boolean, .integer, .enum, .executor, .steps, .envVarName]
}

// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

extension ParameterBinding {
    /// The typed pipeline parameters: each declared parameter's given value (text converted to its type) or
    /// default. Reports undeclared parameters, missing defaults and values of the wrong type.
    func pipelineParameters(_ root: ConfigNode, given: [String: String]) -> [String: ConfigNode] {
        let declarations = self.declarations(
            root["parameters"], path: "parameters", element: "",
            types: [.string, .boolean, .integer, .enum])
        let location = root.entry("parameters")?.keyLocation ?? root.location
        for name in given.keys.sorted() where !declarations.contains(where: { $0.name == name }) {
            decoder.error(
                location, "unknown pipeline parameter '\(name)'",
                hint: "declare it under the top-level 'parameters:' key, or do not pass it")
        }
        var values: [String: ConfigNode] = [:]
        for declaration in declarations {
            if let text = given[declaration.name] {
                let quoted = declaration.type == .string || declaration.type == .enum
                let node = ConfigNode(
                    .scalar(ConfigScalar(Self.normalisedBool(text, declaration), isQuoted: quoted)), at: location)
                values[declaration.name] =
                    checked(node, declaration, owner: "pipeline parameter", element: "") ?? declaration.defaultValue
            } else if let value = declaration.defaultValue {
                values[declaration.name] = value
            } else {
                decoder.error(
                    root["parameters"]?.entry(declaration.name)?.keyLocation ?? location,
                    "pipeline parameter '\(declaration.name)' has no 'default'",
                    hint: "pipeline parameters need a default")
            }
        }
        return values
    }

    /// A boolean text in lower case (`TRUE`, `Yes` → `true`, `yes`), so that any capitalisation is accepted.
    static func normalisedBool(_ text: String, _ declaration: ParameterDeclaration) -> String {
        declaration.type == .boolean ? text.lowercased() : text
    }
}

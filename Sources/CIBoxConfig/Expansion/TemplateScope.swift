// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// What `<< name >>` can stand for at one place of a config: the element's parameters, the pipeline's parameters
/// and values, and a matrix combination.
struct TemplateScope {
    /// The parameters of the job, command or executor being expanded; `nil` outside elements (workflows).
    var parameters: [String: ConfigNode]?
    /// How messages name the element, such as `job 'build'`.
    var element: String
    /// The pipeline parameters; `nil` inside orbs, which cannot see them.
    var pipelineParameters: [String: ConfigNode]?
    /// The `pipeline.*` values by full name (`pipeline.git.branch`).
    var pipelineValues: [String: ConfigNode]
    /// The matrix combination of a workflow job invocation, if any.
    var matrix: [String: ConfigNode]?
    /// Whether `parameters.*` stays as written, for a later pass (parameter defaults: pipeline values and
    /// parameters first, element parameters after).
    var leavesElementParameters = false

    /// How a name resolved.
    enum Resolution {
        /// The value to put in its place.
        case value(ConfigNode)
        /// Not a name this scope handles: the text stays as written.
        case literal
        /// A handled name that is not defined: the message, and an optional hint.
        case unknown(String, hint: String?)
        /// A pipeline value cibox does not know: warned about, replaced by an empty string.
        case unknownPipelineValue(String)
    }

    /// What `name` (such as `parameters.x`) stands for here.
    func resolve(_ name: String) -> Resolution {
        if name.hasPrefix("parameters."), leavesElementParameters { return .literal }
        if name.hasPrefix("parameters.") {
            let key = String(name.dropFirst("parameters.".count))
            guard let parameters else {
                return .unknown(
                    "'<< \(name) >>' is used outside a job, command or executor",
                    hint: "element parameters are only visible inside the element that declares them")
            }
            if let value = parameters[key] { return .value(value) }
            return .unknown(
                "unknown parameter '\(key)' in '<< \(name) >>': \(element) declares "
                    + (parameters.isEmpty ? "no parameters" : parameters.keys.sorted().joined(separator: ", ")),
                hint:
                    "declare it under the \(element)'s 'parameters:' (parameters are not inherited by called commands)")
        }
        if name.hasPrefix("pipeline.parameters.") {
            let key = String(name.dropFirst("pipeline.parameters.".count))
            guard let pipelineParameters else {
                return .unknown(
                    "'<< \(name) >>' is used inside an orb, which cannot see pipeline parameters",
                    hint: "pass the value to the orb element as a parameter")
            }
            if let value = pipelineParameters[key] { return .value(value) }
            return .unknown(
                "unknown pipeline parameter '\(key)' in '<< \(name) >>'",
                hint: "declare it under the top-level 'parameters:' key")
        }
        if name.hasPrefix("pipeline.") {
            if let value = pipelineValues[name] { return .value(value) }
            return .unknownPipelineValue(name)
        }
        if name.hasPrefix("matrix."), let matrix {
            let key = String(name.dropFirst("matrix.".count))
            if let value = matrix[key] { return .value(value) }
            return .unknown(
                "unknown matrix parameter '\(key)' in '<< \(name) >>'",
                hint: "the matrix has: \(matrix.keys.sorted().joined(separator: ", "))")
        }
        return .literal
    }
}

extension ConfigNode {
    /// Whether the value counts as true in a mustache section or a logic statement: everything except `false`,
    /// null, `0`, `NaN`, the empty string and an empty list or mapping.
    var isTruthy: Bool {
        switch value {
        case .scalar(let scalar):
            if scalar.isNull || scalar.text.isEmpty { return false }
            if scalar.isQuoted { return true }
            if scalar.bool == false || scalar.text == "NaN" || scalar.text == ".nan" { return false }
            if let number = Double(scalar.text), number == 0 { return false }
            return true
        case .sequence(let elements): return !elements.isEmpty
        case .mapping(let entries): return !entries.isEmpty
        }
    }
}

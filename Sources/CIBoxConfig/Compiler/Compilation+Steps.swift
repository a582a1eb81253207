// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

extension Compilation {
    /// Built-in steps cibox skips for now, with the names CircleCI shows for them.
    static let skippedBuiltins: [String: String] = [
        "save_cache": "Saving cache",
        "restore_cache": "Restoring cache",
        "persist_to_workspace": "Persisting to workspace",
        "attach_workspace": "Attaching workspace",
        "store_artifacts": "Uploading artifacts",
        "store_test_results": "Uploading test results",
        "add_ssh_keys": "Adding SSH keys",
        "setup_remote_docker": "Setup a remote Docker engine",
        "deploy": "Deploy",
    ]
    /// Step forms of CircleCI 2.1 that cibox does not expand yet; a job using one fails when it gets there.
    static let stepsNotYet: Set<String> = ["when", "unless", "steps"]
    static let runKeys: Set<String> = [
        "name", "command", "working_directory", "environment", "shell", "when", "background", "no_output_timeout",
    ]

    /// The steps of a job; reports an empty or missing list.
    mutating func compileSteps(_ node: ConfigNode, path: String) -> [StepPlan] {
        guard let elements = decoder.sequence(node, path) else { return [] }
        if elements.isEmpty {
            decoder.error(node.location, "'\(path)' is empty", hint: "add at least one step, such as '- checkout'")
        }
        return elements.enumerated().compactMap { index, element in
            compileStep(element, path: "\(path)[\(index)]")
        }
    }

    /// One step: a bare name (`- checkout`) or a single-key mapping (`- run: …`).
    mutating func compileStep(_ node: ConfigNode, path: String) -> StepPlan? {
        if let scalar = node.scalar, !scalar.isNull {
            return compileStepKind(
                scalar.text, ConfigNode(.scalar(ConfigScalar("")), at: node.location), at: node.location,
                path: path)
        }
        guard let entries = decoder.mapping(node, path) else { return nil }
        if node["type"] != nil {
            decoder.warning(
                node.location, "the legacy '- type: …' step form is not supported by cibox yet; the job fails here",
                hint: "write it as '- run: {name: …, command: …}'")
            return StepPlan(
                name: "Legacy step", condition: .onSuccess,
                action: .unsupported(
                    key: "type", message: "the legacy '- type: …' step form is not supported by cibox yet",
                    isFatal: true))
        }
        guard entries.count == 1, let entry = entries.first else {
            decoder.error(
                node.location, "a step must have exactly one key, got: \(entries.map(\.key).joined(separator: ", "))",
                hint: "indent the step's options under its name, e.g. '- run:' then 'command:' below it")
            return nil
        }
        return compileStepKind(entry.key, entry.value, at: entry.keyLocation, path: "\(path).\(entry.key)")
    }

    mutating func compileStepKind(_ kind: String, _ value: ConfigNode, at location: SourceLocation, path: String)
        -> StepPlan?
    {
        switch kind {
        case "checkout":
            return compileCheckout(value, path: path)
        case "run":
            return compileRun(value, at: location, path: path)
        default:
            break
        }
        if let title = Self.skippedBuiltins[kind] {
            decoder.warning(location, "'\(kind)' steps are skipped by cibox for now")
            let name = value["name"]?.scalar?.text ?? title
            return StepPlan(
                name: name,
                action: .unsupported(key: kind, message: "cibox skips '\(kind)' steps for now", isFatal: false))
        }
        if Self.stepsNotYet.contains(kind) {
            decoder.warning(location, "'\(kind)' steps are not supported by cibox yet; the job fails here")
            return StepPlan(
                name: kind,
                action: .unsupported(
                    key: kind, message: "'\(kind)' steps are not supported by cibox yet", isFatal: true))
        }
        decoder.error(
            location, "unknown step '\(kind)'",
            hint: "built-in steps are checkout, run, \(Self.skippedBuiltins.keys.sorted().joined(separator: ", ")); "
                + "reusable commands and orb commands are not supported by cibox yet")
        return nil
    }

    mutating func compileCheckout(_ value: ConfigNode, path: String) -> StepPlan? {
        var checkoutPath: String?
        if !value.isNull {
            guard let entries = decoder.mapping(value, path) else { return nil }
            decoder.checkKeys(entries, in: path, known: ["path", "method", "name"], notYet: [])
            checkoutPath = value["path"].flatMap { decoder.string($0, "\(path).path") }
        }
        let name = value["name"]?.scalar?.text ?? "Checkout code"
        return StepPlan(name: name, action: .checkout(path: checkoutPath))
    }

    /// `run`: a command string, or a mapping with `command` and options.
    mutating func compileRun(_ value: ConfigNode, at location: SourceLocation, path: String) -> StepPlan? {
        if let scalar = value.scalar {
            guard !scalar.isNull else {
                decoder.error(location, "'\(path)' needs a command", hint: "write '- run: COMMAND'")
                return nil
            }
            return StepPlan(name: Self.defaultName(of: scalar.text), action: .run(RunAction(command: scalar.text)))
        }
        guard let entries = decoder.mapping(value, path) else { return nil }
        decoder.checkKeys(entries, in: path, known: Self.runKeys, notYet: ["max_auto_reruns", "auto_rerun_delay"])
        guard let commandNode = value["command"] else {
            decoder.error(value.location, "'\(path)' needs 'command'", hint: "add 'command:' with the script to run")
            return nil
        }
        guard let command = decoder.string(commandNode, "\(path).command") else { return nil }
        var action = RunAction(command: command)
        action.workingDirectory = value["working_directory"].flatMap { decoder.string($0, "\(path).working_directory") }
        action.environment = value["environment"].flatMap { decoder.environment($0, "\(path).environment") } ?? []
        action.shell = value["shell"].flatMap { decoder.string($0, "\(path).shell") }
        action.isBackground = value["background"].flatMap { decoder.bool($0, "\(path).background") } ?? false
        action.noOutputTimeout = value["no_output_timeout"].flatMap { duration($0, "\(path).no_output_timeout") }
        let condition = value["when"].flatMap { stepCondition($0, "\(path).when") } ?? .onSuccess
        let name = value["name"].flatMap { decoder.string($0, "\(path).name") } ?? Self.defaultName(of: command)
        return StepPlan(name: name, condition: condition, action: .run(action))
    }

    /// The name CircleCI shows for a run step without `name`: the command's first non-empty line.
    static func defaultName(of command: String) -> String {
        let lines = command.split(separator: "\n", omittingEmptySubsequences: true)
        let line = lines.first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        return String(line.drop { $0 == " " || $0 == "\t" })
    }

    mutating func stepCondition(_ node: ConfigNode, _ path: String) -> StepCondition? {
        if let scalar = node.scalar, !scalar.isNull, let condition = StepCondition(rawValue: scalar.text) {
            return condition
        }
        decoder.error(node.location, "'\(path)' must be always, on_success or on_fail, got \(node.kindDescription)")
        return nil
    }

    mutating func duration(_ node: ConfigNode, _ path: String) -> Double? {
        guard let text = decoder.string(node, path) else { return nil }
        if let seconds = CircleDuration.seconds(from: text) { return seconds }
        decoder.error(
            node.location, "'\(path)' must be a duration such as 30s, 10m, 1h or 1h30m, got '\(text)'")
        return nil
    }
}

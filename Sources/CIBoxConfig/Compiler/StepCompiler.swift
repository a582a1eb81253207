// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

/// Expanded steps (built-in steps only) → `StepPlan`s, each field checked: `run`, `checkout`, the storage steps, and
/// the steps cibox skips with a warning.
struct StepCompiler {
    /// The built-in steps (a command of the same name overrides one).
    static let builtinSteps: Set<String> = [
        "run", "checkout", "save_cache", "restore_cache", "persist_to_workspace", "attach_workspace",
        "store_artifacts", "store_test_results", "add_ssh_keys", "setup_remote_docker", "deploy",
        "install_signing_bundle", MissingOrb.stepKey,
    ]
    /// Built-in steps cibox does not do on this machine: the step's title and what cibox does instead.
    static let skippedBuiltins: [String: (title: String, instead: String)] = [
        "add_ssh_keys": (
            "Adding SSH keys",
            "cibox does not install SSH keys; the step is skipped and jobs use this "
                + "machine's SSH setup"
        ),
        "install_signing_bundle": (
            "Installing signing bundle",
            "cibox does not install code-signing bundles; "
                + "the step is skipped"
        ),
    ]
    /// `setup_remote_docker`: a Docker engine of the job's own (Podman's Docker API) from this step on.
    static let remoteDocker = "setup_remote_docker"
    /// Its keys.
    static let remoteDockerKeys: Set<String> = ["version", "docker_layer_caching", "name"]
    /// The keys of a `run` step.
    static let runKeys: Set<String> = [
        "name", "command", "working_directory", "environment", "shell", "when", "background", "no_output_timeout",
    ]

    /// Where problems go.
    let decoder: NodeDecoder

    /// The steps of a job; reports an empty or missing list.
    func compileSteps(_ node: ConfigNode, path: String) -> [StepPlan] {
        guard let elements = decoder.sequence(node, path) else { return [] }
        return elements.enumerated().compactMap { index, element in
            compileStep(element, path: "\(path)[\(index)]")
        }
    }

    /// One step: a bare name (`- checkout`) or a single-key mapping (`- run: …`).
    func compileStep(_ node: ConfigNode, path: String) -> StepPlan? {
        if let scalar = node.scalar, !scalar.isNull {
            return compileStepKind(
                scalar.text, ConfigNode(.scalar(ConfigScalar("")), at: node.location), at: node.location,
                path: path)
        }
        guard let entries = decoder.mapping(node, path) else { return nil }
        guard entries.count == 1, let entry = entries.first else {
            decoder.error(
                node.location, "a step must have exactly one key, got: \(entries.map(\.key).joined(separator: ", "))",
                hint: "indent the step's options under its name, e.g. '- run:' then 'command:' below it")
            return nil
        }
        if let name = entry.value["name"], let text = name.scalar?.text {
            decoder.checkName(text, kind: "step", at: name.location)
        }
        return compileStepKind(entry.key, entry.value, at: entry.keyLocation, path: "\(path).\(entry.key)")
    }

    /// A step of `kind` with its value.
    func compileStepKind(_ kind: String, _ value: ConfigNode, at location: SourceLocation, path: String)
        -> StepPlan?
    {
        switch kind {
        case "checkout":
            return compileCheckout(value, path: path)
        case "run", "deploy":
            return compileRun(value, at: location, path: path)
        case "save_cache", "restore_cache", "persist_to_workspace", "attach_workspace", "store_artifacts",
            "store_test_results":
            return compileStorageStep(kind, value, at: location, path: path)
        case MissingOrb.stepKey:
            let reference = value["reference"]?.scalar?.text ?? "orb"
            let message = value["message"]?.scalar?.text ?? "the orb is missing"
            return StepPlan(name: reference, action: .unsupported(key: reference, message: message, isFatal: true))
        default:
            break
        }
        if kind == Self.remoteDocker {
            return compileRemoteDocker(value, at: location)
        }
        if let skipped = Self.skippedBuiltins[kind] {
            decoder.warning(location, "\(kind): \(skipped.instead)")
            let name = value["name"]?.scalar?.text ?? skipped.title
            return StepPlan(name: name, action: .unsupported(key: kind, message: skipped.instead, isFatal: false))
        }
        decoder.error(
            location, "unknown step or command '\(kind)'",
            hint: "built-in steps are "
                + Self.builtinSteps.subtracting([MissingOrb.stepKey]).sorted()
                .joined(separator: ", "))
        return nil
    }

    /// `checkout`, with an optional `path`.
    func compileCheckout(_ value: ConfigNode, path: String) -> StepPlan? {
        var checkoutPath: String?
        if !value.isNull {
            guard let entries = decoder.mapping(value, path) else { return nil }
            decoder.checkKeys(entries, in: path, known: ["path", "method", "name"], notYet: [])
            checkoutPath = value["path"].flatMap { decoder.string($0, "\(path).path") }
        }
        let name = value["name"]?.scalar?.text ?? "Checkout code"
        var step = StepPlan(name: name, action: .checkout(path: checkoutPath))
        step.checkoutMethod = value["method"].flatMap { decoder.string($0, "\(path).method") }
        return step
    }

    /// `run`: a command string, or a mapping with `command` and options.
    func compileRun(_ value: ConfigNode, at location: SourceLocation, path: String) -> StepPlan? {
        if let scalar = value.scalar {
            guard !scalar.isNull else {
                decoder.error(location, "'\(path)' needs a command", hint: "write '- run: COMMAND'")
                return nil
            }
            return StepPlan(name: RunAction.defaultName(of: scalar.text), action: .run(RunAction(command: scalar.text)))
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
        let name = value["name"].flatMap { decoder.string($0, "\(path).name") } ?? RunAction.defaultName(of: command)
        return StepPlan(name: name, condition: condition, action: .run(action))
    }

    /// A step's `when`: `always`, `on_success` or `on_fail`.
    func stepCondition(_ node: ConfigNode, _ path: String) -> StepCondition? {
        if let scalar = node.scalar, !scalar.isNull, let condition = StepCondition(rawValue: scalar.text) {
            return condition
        }
        decoder.error(node.location, "'\(path)' must be always, on_success or on_fail, got \(node.kindDescription)")
        return nil
    }

    /// A duration such as `10m` or `1h30m`, in seconds.
    func duration(_ node: ConfigNode, _ path: String) -> Double? {
        guard let text = decoder.string(node, path) else { return nil }
        if let seconds = CircleDuration.seconds(from: text) { return seconds }
        decoder.error(
            node.location, "'\(path)' must be a duration such as 30s, 10m, 1h or 1h30m, got '\(text)'")
        return nil
    }

    /// `setup_remote_docker` (bare, or with `version`, `docker_layer_caching`, `name`).
    private func compileRemoteDocker(_ value: ConfigNode, at location: SourceLocation) -> StepPlan {
        var action = RemoteDockerAction()
        for entry in value.entries ?? [] {
            switch entry.key {
            case "version":
                action.version = entry.value.scalar?.text
            case "docker_layer_caching":
                guard let flag = entry.value.scalar?.bool else {
                    decoder.error(entry.value.location, "'docker_layer_caching' must be true or false")
                    continue
                }
                action.layerCaching = flag
            case "name":
                continue
            default:
                decoder.warning(
                    entry.keyLocation, "unknown key '\(entry.key)' in 'setup_remote_docker' is ignored",
                    hint: "known keys: docker_layer_caching, name, version")
            }
        }
        return StepPlan(
            name: value["name"]?.scalar?.text ?? "Setup a remote Docker engine", action: .setupRemoteDocker(action))
    }
}
